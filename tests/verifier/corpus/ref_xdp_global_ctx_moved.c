#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused at the call: a context pointer moved by 4 bytes is no context for the callee.
__noinline int length(struct xdp_md *ctx) { return ctx->data_end - ctx->data; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    return length((struct xdp_md *)((char *)ctx + 4)) > 14 ? XDP_PASS : XDP_DROP;
}
