#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at the call: the dynptr was never initialised.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    __u32 v = 0;
    bpf_dynptr_read(&v, sizeof(v), &d, 0, 0);
    return v ? XDP_PASS : XDP_DROP;
}
