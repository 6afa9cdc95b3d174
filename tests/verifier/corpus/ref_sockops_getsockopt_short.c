#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
#define SOL_TCP 6
#define TCP_NODELAY 1
// Refused: the value buffer must hold the size given.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r2 = 6; r3 = 1; r4 = r10; r4 += -4; r5 = 8; call 57; r0 = 1; exit;"); }
