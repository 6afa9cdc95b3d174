#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: setsockopt may rewrite level, optname and optlen.
SEC("cgroup/setsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("w2 = 6; *(u32 *)(r1 + 24) = w2; *(u32 *)(r1 + 28) = w2; *(u32 *)(r1 + 32) = w2; r0 = 1; exit;"); }
