#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: skb_tcp_flags is read in part from its first byte only.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r0 = *(u8 *)(r1 + 213); r0 = 1; exit;"); }
