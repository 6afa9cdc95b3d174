#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused at the callback's exit: it returns its context, a pointer to the caller's stack.
static long step(__u64 i, void *c) { return (long)c; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u64 v = 0;
    return bpf_loop(4, step, &v, 0) == 4 ? XDP_PASS : XDP_DROP;
}
