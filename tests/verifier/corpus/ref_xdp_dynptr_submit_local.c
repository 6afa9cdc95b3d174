#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at the call: a local dynptr holds no reference to submit.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
    bpf_ringbuf_submit_dynptr(&d, 0);
    return XDP_PASS;
}
