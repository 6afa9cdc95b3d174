#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Refused: this machine's kernel (6.18.44-fc) refuses bpf_dynptr_slice_rdwr once its arguments passed, even where the program may write the packet (tc).
SEC("tc") int prog(struct __sk_buff *skb) {
    struct bpf_dynptr d;
    __u8 buf[2];
    bpf_dynptr_from_skb(skb, 0, &d);
    __u8 *p = bpf_dynptr_slice_rdwr(&d, 12, buf, sizeof(buf));
    if (!p)
        return 2;
    p[1] = 0x42;
    return 0;
}
