#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off, struct bpf_dynptr *src_ptr, __u32 src_off, __u32 size) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64[2]); } scratch SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
// Accepted: a store over an unreferenced dynptr destroys it; set up again, it is usable.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    __u8 buf[1];
    bpf_dynptr_from_xdp(ctx, 0, &d);
    *(volatile __u64 *)&d = 0;
    bpf_dynptr_from_xdp(ctx, 0, &d);
    __u8 *p = bpf_dynptr_slice(&d, 0, buf, 1);
    return p && *p ? XDP_PASS : XDP_DROP;
}
