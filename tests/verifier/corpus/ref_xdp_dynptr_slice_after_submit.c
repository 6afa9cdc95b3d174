#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused after the submit: the slice went with the record.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &d);
    __u64 *p = bpf_dynptr_data(&d, 0, 16);
    if (!p) {
        bpf_ringbuf_discard_dynptr(&d, 0);
        return XDP_DROP;
    }
    bpf_ringbuf_submit_dynptr(&d, 0);
    p[0] = 1;
    return XDP_PASS;
}
