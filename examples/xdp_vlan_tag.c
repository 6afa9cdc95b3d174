// xdp_vlan_tag.c -- pushing and popping an 802.1Q VLAN tag with bpf_xdp_adjust_head, and
// handing a result to the next stage through the metadata area (bpf_xdp_adjust_meta).
//
// Teaches: how an XDP program makes a packet longer or shorter at the front. The packet sits in
// a page with 256 bytes of headroom before it (XDP_PACKET_HEADROOM); bpf_xdp_adjust_head(ctx,
// -4) moves data 4 bytes back into that room, +4 moves it forward (the first 4 bytes are gone).
// After any adjust every packet pointer must be loaded again from ctx and bounds-checked: the
// verifier forgets what it knew. The Ethernet addresses move by hand, the tag goes after them
// (as in xdp-tutorial's packet02/packet03). bpf_xdp_adjust_meta(ctx, -4) makes 4 bytes of
// metadata just before data (ctx->data_meta): BPF_PROG_TEST_RUN returns them first in data_out.
//
// Try: an untagged IPv4 frame (a tag with VLAN 42 is pushed, XDP_TX), a frame tagged VLAN 7
// (popped, XDP_PASS), a runt (XDP_DROP); watch the packet's length and data_meta change while
// stepping.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VLAN_ID 42

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} tags SEC(".maps"); // [0] tags pushed, [1] tags popped (with their VLAN id summed in the top half)

static __always_inline void count(__u32 slot, __u64 add)
{
	__u64 *n = bpf_map_lookup_elem(&tags, &slot);
	if (n)
		__sync_fetch_and_add(n, add);
}

// 4 bytes of metadata before the packet: which VLAN it had (0: none).
static __always_inline int put_meta(struct xdp_md *ctx, __u32 vlan)
{
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(__u32)))
		return -1;
	__u32 *meta = (void *)(long)ctx->data_meta;
	void *data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return -1;
	*meta = vlan;
	return 0;
}

SEC("xdp")
int xdp_vlan_tag(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;

	if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
		// Pop: remember the addresses, drop 4 bytes at the front, write them back.
		struct vlan_hdr *vh = (void *)(eth + 1);
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		struct ethhdr copy = *eth;
		__u16 vid = bpf_ntohs(vh->tci) & 0x0fff;
		copy.h_proto = vh->encap_proto;
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct vlan_hdr)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		eth = data;
		if ((void *)(eth + 1) > data_end)
			return XDP_ABORTED;
		*eth = copy;
		count(1, 1 | (__u64)vid << 32);
		if (put_meta(ctx, vid))
			return XDP_ABORTED;
		return XDP_PASS;
	}

	// Push: 4 more bytes at the front, the addresses moved there, the tag after them.
	struct ethhdr copy = *eth;
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vlan_hdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	if ((void *)(vh + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, copy.h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, copy.h_source, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	vh->tci = bpf_htons(VLAN_ID);
	vh->encap_proto = copy.h_proto;
	count(0, 1);
	if (put_meta(ctx, 0))
		return XDP_ABORTED;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
