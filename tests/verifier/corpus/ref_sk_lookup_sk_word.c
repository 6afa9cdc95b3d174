#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk is read as 8 bytes only.
SEC("sk_lookup") NAKED int prog(void *ctx) { asm volatile(
"r0 = *(u32 *)(r1 + 0); r0 = 1; exit;"); }
