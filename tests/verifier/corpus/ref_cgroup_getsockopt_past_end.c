#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: struct bpf_sockopt ends at 40.
SEC("cgroup/getsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("r2 = *(u32 *)(r1 + 40); r0 = 1; exit;"); }
