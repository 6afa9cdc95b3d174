#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Accepted: a global function no path calls is never verified (Linux 6.8+ verifies them
// lazily), though its body reads a pointer that may be NULL.
__noinline int first(struct pair *p) { return p->a; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    return ctx->data == ctx->data_end ? XDP_DROP : XDP_PASS;
}
