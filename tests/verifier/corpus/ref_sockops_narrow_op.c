#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: op may only be read whole.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r0 = *(u16 *)(r1 + 0); r0 = 1; exit;"); }
