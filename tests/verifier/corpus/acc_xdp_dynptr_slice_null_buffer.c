#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Accepted: the slice buffer is optional (buffer__opt): NULL, with a constant size.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    bpf_dynptr_from_xdp(ctx, 0, &d);
    __u32 *p = bpf_dynptr_slice(&d, 4, NULL, 4);
    return p && *p ? XDP_PASS : XDP_DROP;
}
