#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: optval is read as a whole 8-byte pointer.
SEC("cgroup/getsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("r2 = *(u32 *)(r1 + 8); r0 = 1; exit;"); }
