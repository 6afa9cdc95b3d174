#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk is read whole from its start.
SEC("cgroup/getsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("r2 = *(u32 *)(r1 + 4); r0 = 1; exit;"); }
