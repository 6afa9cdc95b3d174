// Programs for tests/run/dynptr_kfuncs_test.cpp with bpf_dynptr_slice_rdwr, which the reference
// kernel of this project (6.18.44-fc) refuses to load ("bpf_dynptr_slice_rdwr() is not
// allowed"), so their expected results come from kernel/bpf/helpers.c instead of a test run.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/dynptr_rdwr.c -o tests/run/bpf/dynptr_rdwr.o

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
				   __u32 buffer__szk) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

static void record(__u32 slot, __s64 value)
{
	__s64 *v = bpf_map_lookup_elem(&results, &slot);
	if (v)
		*v = value;
}

SEC("tc")
int tc_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr, rec, clone;
	struct iphdr buf;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	struct iphdr *ip = bpf_dynptr_slice_rdwr(&ptr, ETH_HLEN, &buf, sizeof(buf));
	if (!ip)
		return 2;
	record(0, ip != &buf); // the IP header is in the linear part: a pointer into the packet
	ip->ttl = 7;           // written straight into the packet
	record(1, bpf_dynptr_slice_rdwr(&ptr, 40, &buf, sizeof(buf)) != 0); // past the end: NULL

	// A ring buffer record through a clone, narrowed by bpf_dynptr_adjust; discarding the clone
	// gives the reservation back for both.
	bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &rec);
	bpf_dynptr_clone(&rec, &clone);
	record(2, bpf_dynptr_adjust(&clone, 8, 16));
	__u64 *v = bpf_dynptr_slice_rdwr(&clone, 0, NULL, 8);
	if (v)
		*v = 0x1122334455667788;
	__u64 *w = bpf_dynptr_slice_rdwr(&rec, 8, NULL, 8);
	record(3, w ? *w : -1); // the same bytes through the parent
	bpf_ringbuf_discard_dynptr(&clone, 0);
	return 1;
}

// Socket filters may not write packet data: the verifier refuses bpf_dynptr_slice_rdwr.
SEC("socket")
int socket_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[4];

	bpf_dynptr_from_skb(skb, 0, &ptr);
	return bpf_dynptr_slice_rdwr(&ptr, 0, buf, sizeof(buf)) != 0;
}

char LICENSE[] SEC("license") = "GPL";

// A dynptr used before any kfunc made it: the verifier refuses the call.
SEC("tc")
int tc_uninit(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[4];

	return bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf)) != 0;
}

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;

// 8 bytes inside the first fragment of a multi-buffer packet: the kernel points into the
// fragment, bpfplay (which does not map fragments) copies them into the buffer, or stops the
// run when there is none.
SEC("xdp.frags")
int xdp_in_frag(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[8];

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	__u8 *p = bpf_dynptr_slice(&ptr, 3600, buf, sizeof(buf));
	record(0, p ? p[0] | p[7] << 8 : -1);
	return bpf_dynptr_slice(&ptr, 3600, NULL, 8) != 0;
}
