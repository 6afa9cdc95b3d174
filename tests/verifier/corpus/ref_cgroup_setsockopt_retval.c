#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: retval exists for getsockopt only.
SEC("cgroup/setsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("r2 = *(u32 *)(r1 + 36); r0 = 1; exit;"); }
