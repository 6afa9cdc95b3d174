#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: eth_protocol is read at least 2 bytes at a time (skb->protocol is a u16).
SEC("sk_reuseport") NAKED int prog(struct sk_reuseport_md *md) { asm volatile("r2 = *(u8 *)(r1 + 20); r0 = 1; exit;"); }
