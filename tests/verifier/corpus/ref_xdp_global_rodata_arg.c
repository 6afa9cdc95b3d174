#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused at the call: the constant pair is in .rodata (read-only to programs), and a global
// function may write through its pointer arguments.
__noinline int first(struct pair *p) { return p->a; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct pair p = {1, 2};
    return first(&p) ? XDP_PASS : XDP_DROP;
}
