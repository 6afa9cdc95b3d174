#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: netfilter's context is read only.
SEC("netfilter") NAKED int prog(void *ctx) { asm volatile(
"r2 = 0; *(u64 *)(r1 + 8) = r2; r0 = 1; exit;"); }
