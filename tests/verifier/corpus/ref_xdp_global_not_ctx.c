#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused at the call: the global function's argument is the context (struct xdp_md *), the
// caller passes a stack pointer.
__noinline int length(struct xdp_md *ctx) { return ctx->data_end - ctx->data; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct xdp_md fake = {};
    return length(&fake) > 14 ? XDP_PASS : XDP_DROP;
}
