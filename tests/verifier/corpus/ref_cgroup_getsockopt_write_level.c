#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: getsockopt may not change level.
SEC("cgroup/getsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("w2 = 6; *(u32 *)(r1 + 24) = w2; r0 = 1; exit;"); }
