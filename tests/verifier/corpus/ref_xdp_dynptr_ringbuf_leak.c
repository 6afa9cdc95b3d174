#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at exit: a ring buffer dynptr must be submitted or discarded on every path, even when the reservation failed.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    if (bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d) < 0) return XDP_DROP;
    bpf_ringbuf_submit_dynptr(&d, 0);
    return XDP_PASS;
}
