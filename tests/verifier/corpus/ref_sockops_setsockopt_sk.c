#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
#define SOL_TCP 6
#define TCP_NODELAY 1
// Refused: the socket pointer is not what sock_ops passes; its context is.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r1 = *(u64 *)(r1 + 184); if r1 == 0 goto 1f; r2 = 6; r3 = 1; r4 = r10; r4 += -8; r5 = 1; *(u64 *)(r10 - 8) = r5; r5 = 4; call 49; 1: r0 = 1; exit;"); }
