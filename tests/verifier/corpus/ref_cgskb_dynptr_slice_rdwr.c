#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Refused: a writable slice in cgroup_skb (which may not write the packet); this machine's kernel refuses every bpf_dynptr_slice_rdwr with its own message first.
SEC("cgroup_skb/ingress") int prog(struct __sk_buff *skb) {
    struct bpf_dynptr d;
    __u8 buf[4];
    bpf_dynptr_from_skb(skb, 0, &d);
    __u8 *p = bpf_dynptr_slice_rdwr(&d, 0, buf, sizeof(buf));
    return p ? 1 : 0;
}
