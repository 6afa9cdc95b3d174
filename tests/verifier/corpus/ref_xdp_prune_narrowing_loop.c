#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a loop that never ends, whose second pass is narrower than its first (r6 unknown,
// then 0..255). The first pass's state covers the second's but has not finished exploring: it
// must not prune the second, which is the first again once it has narrowed.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"call 7; r6 = r0; 1: r6 &= 255; if r6 > 1000 goto 2f; goto 1b; 2: r0 = 2; exit;"); }
