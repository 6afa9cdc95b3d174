#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: and 2 bytes inside a cb word.
SEC("tc") NAKED int prog(struct __sk_buff *skb) { asm volatile("w2 = 0; *(u16 *)(r1 + 50) = w2; r0 = 0; exit;"); }
