#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Refused: bpf_xdp_adjust_head moves the packet; a slice of its xdp dynptr taken before is gone.
SEC("xdp") int prog(struct xdp_md *ctx) { struct bpf_dynptr d; __u8 buf[4];
 bpf_dynptr_from_xdp(ctx, 0, &d); volatile __u8 *p = bpf_dynptr_slice(&d, 0, buf, 4); if (!p) return 2;
 bpf_xdp_adjust_head(ctx, 0); return p[0]; }
