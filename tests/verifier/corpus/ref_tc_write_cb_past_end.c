#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: 8 bytes from cb[4] run past cb.
SEC("tc") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = 0; *(u64 *)(r1 + 64) = r2; r0 = 0; exit;"); }
