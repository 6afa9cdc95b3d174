#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Accepted: a global function is verified on its own from its BTF signature (ctx, a number,
// memory of 16 bytes that may be NULL, checked before use); callers pass a stack pair or NULL.
__noinline int weigh(struct xdp_md *ctx, __u32 x, struct pair *p) {
    if (!p) return x;
    p->b = ctx->data_end - ctx->data;
    return p->a + x;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct pair p = {1, 2};
    int a = weigh(ctx, 3, &p);
    int b = weigh(ctx, 4, 0);
    return a + b > 10 ? XDP_PASS : XDP_DROP;
}
