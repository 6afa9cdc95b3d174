#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused in the callee: a global function's pointer argument may be NULL (any caller may
// pass NULL), so it must be checked before use, whatever this caller passes.
__noinline int first(struct pair *p) { return p->a; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct pair p = {ctx->data, ctx->data_end};
    return first(&p) ? XDP_PASS : XDP_DROP;
}
