#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the context ends at 224.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r0 = *(u32 *)(r1 + 224); r0 = 1; exit;"); }
