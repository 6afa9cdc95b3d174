// tc_ecn_mark.c -- an AQM-style marker in tc: long packets of a congested queue are marked
// Congestion Experienced when their sender understands ECN, dropped when it does not; every
// packet is first mirrored to lo, as a tap would.
//
// Teaches: bpf_skb_ecn_set_ce(skb) sets the IP header's ECN field to CE (11) on ECT(0) (10) and
// ECT(1) (01) packets, IPv4 and IPv6, and fixes the IPv4 header checksum itself; it returns 1
// when the packet now carries CE (also when it already did) and 0 when it cannot be marked
// (Not-ECT, not IP). bpf_clone_redirect(skb, ifindex, flags) sends a copy right away and returns
// the device layer's answer (0: sent), -EINVAL for an unknown device or a flag other than
// BPF_F_INGRESS; the program's own packet goes on.
//
// Try: a long UDP packet with ECT(0) (marked: tos 0x02 -> 0x03, checksum - 1, TC_ACT_OK), a long
// Not-ECT TCP packet (TC_ACT_SHOT), a short one (passes untouched), IPv6 with ECT(1), ARP.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MARK_ABOVE 100  // bytes: shorter packets are never marked nor dropped
#define LO_IFINDEX 1

enum { MARKED, DROPPED, MIRROR_RET, NSTATS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSTATS);
	__type(key, __u32);
	__type(value, __s64);
} stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__s64 *v = bpf_map_lookup_elem(&stats, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tc")
int tc_ecn_mark(struct __sk_buff *skb)
{
	__u32 slot = MIRROR_RET;
	__s64 *mirror = bpf_map_lookup_elem(&stats, &slot);
	long ret = bpf_clone_redirect(skb, LO_IFINDEX, 0);

	if (mirror)
		*mirror = ret;
	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	if (skb->len <= MARK_ABOVE)
		return TC_ACT_OK;
	if (bpf_skb_ecn_set_ce(skb)) {
		count(MARKED);
		return TC_ACT_OK;
	}
	count(DROPPED);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
