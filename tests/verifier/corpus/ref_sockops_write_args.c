#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the args after reply are read-only.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("w2 = 1; *(u32 *)(r1 + 8) = w2; r0 = 1; exit;"); }
