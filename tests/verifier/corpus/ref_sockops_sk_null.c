#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk may be NULL.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r2 = *(u64 *)(r1 + 184); r0 = *(u32 *)(r2 + 4); r0 = 1; exit;"); }
