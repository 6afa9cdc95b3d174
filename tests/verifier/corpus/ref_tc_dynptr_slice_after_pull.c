#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Refused: bpf_skb_pull_data may move the packet; a slice of its skb dynptr taken before is gone.
SEC("tc") int prog(struct __sk_buff *skb) { struct bpf_dynptr d; __u8 buf[4];
 bpf_dynptr_from_skb(skb, 0, &d); volatile __u8 *p = bpf_dynptr_slice(&d, 0, buf, 4); if (!p) return 2;
 bpf_skb_pull_data(skb, 10); return p[0]; }
