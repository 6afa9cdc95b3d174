#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused at the call: the global function takes a number, the caller passes a stack pointer.
__noinline int twice(__u64 x) { return x * 2; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u64 v = 3;
    return twice((__u64)&v) ? XDP_PASS : XDP_DROP;
}
