#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at the second reservation: the first ring buffer dynptr, still referenced, would be overwritten.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d);
    bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d);
    bpf_ringbuf_discard_dynptr(&d, 0);
    return XDP_PASS;
}
