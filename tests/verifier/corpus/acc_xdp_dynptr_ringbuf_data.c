#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Accepted: a ring buffer dynptr, a slice of it written after its NULL check, submitted or discarded on every path.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &d);
    __u64 *p = bpf_dynptr_data(&d, 0, 16);
    if (!p) {
        bpf_ringbuf_discard_dynptr(&d, 0);
        return XDP_DROP;
    }
    p[0] = ctx->data_end - ctx->data;
    p[1] = 7;
    bpf_ringbuf_submit_dynptr(&d, 0);
    return XDP_PASS;
}
