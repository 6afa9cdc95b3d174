#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: bytes_acked is read as a whole u64.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r0 = *(u32 *)(r1 + 176); r0 = 1; exit;"); }
