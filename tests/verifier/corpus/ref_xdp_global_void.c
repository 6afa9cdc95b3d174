#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused at the call: Linux 6.18 verifies only global functions that return a number.
__noinline void note(struct pair *p) { if (p) p->a++; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct pair p = {1, 2};
    note(&p);
    return p.a == 2 ? XDP_PASS : XDP_DROP;
}
