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
// Refused: a store over a local dynptr destroys it and the slices bpf_dynptr_data took of it.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&scratch, &k);
    if (!v)
        return XDP_DROP;
    bpf_dynptr_from_mem(v, 16, 0, &d);
    volatile __u64 *p = bpf_dynptr_data(&d, 0, 8);
    if (!p)
        return XDP_DROP;
    *(volatile __u64 *)&d = 0;
    return p[0];
}
