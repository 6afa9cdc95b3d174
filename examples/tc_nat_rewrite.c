// tc_nat_rewrite.c -- destination NAT in a tc program: rewriting an IPv4 address and a port and
// fixing the checksums with bpf_skb_store_bytes, bpf_l3_csum_replace and bpf_l4_csum_replace.
//
// Teaches: the IPv4 header checksum covers the header, so changing the destination address
// needs an L3 fix; TCP and UDP checksums cover a "pseudo header" with both addresses, so the
// same change also needs an L4 fix with BPF_F_PSEUDO_HDR, and a port change an L4 fix without
// it. The flags' low 4 bits say how many bytes changed (4 for an address, 2 for a port). A UDP
// checksum of 0 means "none": BPF_F_MARK_MANGLED_0 keeps it 0, and turns a computed 0 into
// 0xffff. The helpers write through the skb, so packet pointers must be loaded again after them.
// bpf_csum_diff sums a whole changed block at once: the mark shows the diff of the addresses.
//
// Try: UDP to 10.0.0.2:53 (rewritten to 192.168.1.7:5353), TCP to 10.0.0.2:80 (rewritten to
// 192.168.1.7:8080), UDP without a checksum (stays without), a packet to another address (left
// alone); check the checksums in the packet out.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))

const volatile __be32 service_ip = 0x0200000a;  // 10.0.0.2 (network order on little-endian)
const volatile __be32 backend_ip = 0x0701a8c0;  // 192.168.1.7

__u64 rewritten; // packets changed (.bss)

static __always_inline int rewrite_port(struct __sk_buff *skb, __u32 port_off, __u32 csum_off, __be16 old_port,
					__be16 new_port, __u64 l4_flags)
{
	if (bpf_l4_csum_replace(skb, csum_off, old_port, new_port, l4_flags | sizeof(new_port)))
		return -1;
	return bpf_skb_store_bytes(skb, port_off, &new_port, sizeof(new_port), 0);
}

SEC("tc")
int tc_nat_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->ihl != 5 || ip->daddr != service_ip)
		return TC_ACT_OK;

	__u8 proto = ip->protocol;
	__u32 l4_off = ETH_HLEN + sizeof(struct iphdr);
	__u32 csum_off, port_off = l4_off + offsetof(struct udphdr, dest);
	__u64 l4_flags = 0;
	__be16 old_port, new_port;

	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		csum_off = l4_off + offsetof(struct udphdr, check);
		old_port = udp->dest;
		new_port = udp->dest == bpf_htons(53) ? bpf_htons(5353) : udp->dest;
		l4_flags = BPF_F_MARK_MANGLED_0;
	} else if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		csum_off = l4_off + offsetof(struct tcphdr, check);
		old_port = tcp->dest;
		new_port = tcp->dest == bpf_htons(80) ? bpf_htons(8080) : tcp->dest;
	} else {
		return TC_ACT_OK;
	}

	// The address: the L4 checksum first (its pseudo header has the address), then L3, then
	// the bytes themselves.
	__be32 old_ip = ip->daddr, new_ip = backend_ip;
	skb->mark = bpf_csum_diff(&old_ip, sizeof(old_ip), &new_ip, sizeof(new_ip), 0);
	if (bpf_l4_csum_replace(skb, csum_off, old_ip, new_ip, l4_flags | BPF_F_PSEUDO_HDR | sizeof(new_ip)))
		return TC_ACT_SHOT;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_ip, new_ip, sizeof(new_ip)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, IP_DST_OFF, &new_ip, sizeof(new_ip), 0))
		return TC_ACT_SHOT;
	if (new_port != old_port && rewrite_port(skb, port_off, csum_off, old_port, new_port, l4_flags))
		return TC_ACT_SHOT;
	rewritten++;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
