#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the option value bpf_setsockopt reads runs past the stack.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r2 = 6; r3 = 1; r4 = r10; r4 += -4; r5 = 8; call 49; r0 = 1; exit;"); }
