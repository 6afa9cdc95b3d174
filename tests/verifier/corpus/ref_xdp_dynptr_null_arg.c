#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Refused: a dynptr argument may not be NULL.
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
SEC("xdp") int prog(struct xdp_md *ctx) {
    return bpf_dynptr_size((const struct bpf_dynptr *)0) ? XDP_PASS : XDP_DROP;
}
