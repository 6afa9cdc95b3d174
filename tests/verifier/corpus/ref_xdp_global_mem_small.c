#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct pair { __u64 a, b; };
// Refused at the call: the callee may read and write 16 bytes, the caller's buffer has 8.
__noinline int sum(struct pair *p) { return p ? p->a + p->b : 0; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u64 small[2] = {1, 2};
    return sum((struct pair *)&small[1]) ? XDP_PASS : XDP_DROP;
}
