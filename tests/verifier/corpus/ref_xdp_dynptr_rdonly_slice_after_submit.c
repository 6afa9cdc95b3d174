#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
// Refused: a read-only slice of a ring buffer dynptr dies with the record it was submitted with.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    __u8 buf[4];
    bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d);
    volatile __u8 *p = bpf_dynptr_slice(&d, 0, buf, 4);
    if (!p) {
        bpf_ringbuf_discard_dynptr(&d, 0);
        return XDP_PASS;
    }
    bpf_ringbuf_submit_dynptr(&d, 0);
    return p[0];
}
