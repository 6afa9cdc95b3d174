// seg6_end_bpf.c -- an SRv6 endpoint in BPF: the seg6local End.BPF action of an IPv6 Segment
// Routing node, which tags packets, grows the Segment Routing Header by a TLV, and routes.
//
// Teaches: an lwt_seg6local program runs on an IPv6 packet with a Segment Routing Header (SRH)
// after the kernel advanced it (segments_left - 1, the destination is the next segment). It may
// change only the SRH's flags, tag and TLVs, through helpers: bpf_lwt_seg6_store_bytes writes
// them (anything else, such as a segment, is -EFAULT), bpf_lwt_seg6_adjust_srh inserts or
// removes bytes in the TLV area (the kernel fixes the IPv6 payload length, and the SRH's hdrlen
// when it checks the SRH after the program: an SRH left invalid drops the packet), and
// bpf_lwt_seg6_action applies an SRv6 behaviour: End.X (send to a chosen next hop), End.T
// (route by a table), End.DT6 (decapsulate the inner IPv6 packet), End.B6 / End.B6.Encap (bind
// a new SRH policy). A program that routed with an action returns BPF_REDIRECT; BPF_OK lets
// End.BPF route by the (new) destination.
//
// Try: the SRv6 packet of the examples' cases (segments_left 1 on arrival): end_tag_tlv adds
// an 8-byte TLV and tag 42 (hdrlen 4 becomes 5, 8 more bytes); end_x sends the packet to next
// hop fd00::1; end_dt6 (a packet whose last segment this is) hands the inner IPv6 packet to
// the main table. The event log says where each packet goes.

#include <linux/bpf.h>
#include <linux/ipv6.h>
#include <linux/seg6.h>
#include <linux/seg6_local.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SRH_OFF sizeof(struct ipv6hdr) // the program sees the packet from its IPv6 header on
#define TAG 42
#define TLV_NODE 0x80 // an experimental TLV type: "this node saw the packet", with its id

struct node_tlv {
	__u8 type;
	__u8 len; // bytes after these two
	__u8 node[6];
};

// The SRH right after the IPv6 header, or NULL (then End.BPF would not have run us: it checks).
static __always_inline struct ipv6_sr_hdr *srh_of(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data;
	struct ipv6_sr_hdr *srh = data + SRH_OFF;

	if ((void *)(srh + 1) > data_end || ip6->nexthdr != 43 /* IPPROTO_ROUTING */)
		return 0;
	return srh;
}

SEC("lwt_seg6local")
int end_tag_tlv(struct __sk_buff *skb)
{
	struct ipv6_sr_hdr *srh = srh_of(skb);
	struct node_tlv tlv = {.type = TLV_NODE, .len = 6, .node = {0x02, 0, 0, 0, 0, 0x02}};
	__u16 tag = bpf_htons(TAG);
	__u32 end;

	if (!srh)
		return BPF_DROP;
	end = SRH_OFF + ((srh->hdrlen + 1) << 3); // the SRH's end: the new TLV goes there
	if (bpf_lwt_seg6_adjust_srh(skb, end, sizeof(tlv)))
		return BPF_DROP;
	// The packet moved: srh is stale now (the verifier would refuse a use of it).
	if (bpf_lwt_seg6_store_bytes(skb, end, &tlv, sizeof(tlv)))
		return BPF_DROP;
	if (bpf_lwt_seg6_store_bytes(skb, SRH_OFF + __builtin_offsetof(struct ipv6_sr_hdr, tag), &tag, sizeof(tag)))
		return BPF_DROP;
	return BPF_OK; // End.BPF checks the SRH (hdrlen becomes 5) and routes by the destination
}

SEC("lwt_seg6local")
int end_x(struct __sk_buff *skb)
{
	// fd00::1, the examples' neighbour on eth0
	struct in6_addr nh = {.s6_addr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};

	if (bpf_lwt_seg6_action(skb, SEG6_LOCAL_ACTION_END_X, &nh, sizeof(nh)))
		return BPF_DROP;
	return BPF_REDIRECT; // routed by the action: End.BPF does not route again
}

SEC("lwt_seg6local")
int end_dt6(struct __sk_buff *skb)
{
	struct ipv6_sr_hdr *srh = srh_of(skb);
	int table = 254; // RT_TABLE_MAIN

	if (!srh || srh->segments_left != 0)
		return BPF_OK; // not the last segment yet: on to the next one
	if (bpf_lwt_seg6_action(skb, SEG6_LOCAL_ACTION_END_DT6, &table, sizeof(table)))
		return BPF_DROP;
	return BPF_REDIRECT;
}

char _license[] SEC("license") = "GPL";
