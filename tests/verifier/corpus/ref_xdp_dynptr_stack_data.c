#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at the call: bpf_dynptr_from_mem takes map memory (a global), not the stack.
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u8 local[16] = {};
    struct bpf_dynptr d;
    bpf_dynptr_from_mem(local, sizeof(local), 0, &d);
    return XDP_PASS;
}
