// tc_mtu_guard.c -- asking bpf_check_mtu whether a packet will still fit its device once it grows
// (an IPIP encapsulation adds a 20-byte outer IPv4 header), from tc and from XDP.
//
// Teaches: bpf_check_mtu(ctx, ifindex, &mtu_len, len_diff, flags) answers 0 (fits) or
// BPF_MTU_CHK_RET_FRAG_NEEDED (1); ifindex 0 means the packet's own device. The device MTU is
// an L3 size and the helper adds the L2 header itself, so a whole frame of MTU + 14 bytes still
// fits. On return *mtu_len holds the MTU; passing an L3 length in *mtu_len (the IP header's
// tot_len, as bpf_fib_lookup does) checks that length instead of the packet's. Errors are
// negative: -ENODEV for an ifindex with no device, -EINVAL for flags the hook does not take
// (XDP takes none; tc's BPF_MTU_CHK_SEGS cannot be combined with a len_diff or an input length).
//
// Try: a small UDP packet (fits, r0 = TC_ACT_OK), an IPv4 header that claims 65530 bytes (does
// not fit once 20 bytes are added: TC_ACT_SHOT / XDP_DROP); read the four results in the map.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ENCAP_LEN 20     // the outer IPv4 header an IPIP tunnel would add
#define NO_SUCH_DEV 999  // an ifindex the host does not have

struct mtu_result {
	__s64 ret;  // what bpf_check_mtu returned
	__u32 mtu;  // *mtu_len afterwards
	__u32 in;   // *mtu_len before the call
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct mtu_result);
} results SEC(".maps");

static __always_inline void record(__u32 slot, long ret, __u32 mtu, __u32 in)
{
	struct mtu_result *r = bpf_map_lookup_elem(&results, &slot);

	if (r) {
		r->ret = ret;
		r->mtu = mtu;
		r->in = in;
	}
}

// The four questions both programs ask; returns whether the IP packet fits after encapsulation.
#define ASK_MTU(ctx, ip, segs_flag)                                                   \
	({                                                                            \
		__u32 mtu = 0, in;                                                    \
		long ret = bpf_check_mtu(ctx, 0, &mtu, ENCAP_LEN, 0);                 \
		record(0, ret, mtu, 0);                                               \
		in = bpf_ntohs((ip)->tot_len);                                        \
		mtu = in;                                                             \
		long l3 = bpf_check_mtu(ctx, 0, &mtu, ENCAP_LEN, 0);                  \
		record(1, l3, mtu, in);                                               \
		mtu = 7;                                                              \
		record(2, bpf_check_mtu(ctx, NO_SUCH_DEV, &mtu, 0, 0), mtu, 7);       \
		mtu = 7;                                                              \
		record(3, bpf_check_mtu(ctx, 0, &mtu, ENCAP_LEN, segs_flag), mtu, 7); \
		l3 == 0;                                                              \
	})

SEC("tc")
int tc_mtu_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	return ASK_MTU(skb, ip, BPF_MTU_CHK_SEGS) ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("xdp")
int xdp_mtu_guard(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	// XDP takes no flags: BPF_MTU_CHK_SEGS is -EINVAL here.
	return ASK_MTU(ctx, ip, BPF_MTU_CHK_SEGS) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
