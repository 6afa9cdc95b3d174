#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: skb_hwtstamp is read whole from its start.
SEC("sockops") NAKED int prog(void *ctx) { asm volatile("r2 = *(u32 *)(r1 + 220); r0 = 1; exit;"); }
