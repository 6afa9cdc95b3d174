#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused where the callback's address is loaded: a callback must be a static function.
__noinline long step(__u64 i, void *c) { return 0; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    return bpf_loop(4, step, 0, 0) == 4 ? XDP_PASS : XDP_DROP;
}
