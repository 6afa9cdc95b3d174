// tc_classifier.c -- a traffic-control classifier that marks, prioritizes or drops packets.
//
// Teaches: SEC("tc") programs (BPF_PROG_TYPE_SCHED_CLS) and struct __sk_buff. Unlike a socket
// filter, tc programs read the packet directly (skb->data .. skb->data_end, starting at the
// Ethernet header) and may write some skb fields: mark and priority here, which other parts of
// the kernel (routing, qdiscs, iptables) then act on. Returns TC_ACT_OK (0) or TC_ACT_SHOT (2).
//
// Try: SSH (TCP port 22: priority 6), DNS over UDP (mark 0x53), a packet over 1000 bytes
// (dropped), and one whose context already carries a mark (left alone); compare ctx_out.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_LEN 1000

__u64 shot; // packets dropped (.bss)

SEC("tc")
int tc_classifier(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	// skb->len counts the whole packet, even bytes not in the linear data area.
	if (skb->len > MAX_LEN) {
		shot++;
		return TC_ACT_SHOT;
	}
	if (skb->mark != 0)
		return TC_ACT_OK; // someone classified it already
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return TC_ACT_OK;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		if (tcp->dest == bpf_htons(22))
			skb->priority = 6; // interactive traffic first (TC_PRIO_INTERACTIVE)
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		if (udp->dest == bpf_htons(53))
			skb->mark = 0x53; // e.g. for a routing rule: ip rule add fwmark 0x53 ...
	}
	skb->cb[0] = ip->tos; // cb[] is scratch space, shared with later tc programs
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
