#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a trusted pointer to the hook state is read only.
SEC("netfilter") NAKED int prog(void *ctx) { asm volatile(
"r2 = *(u64 *)(r1 + 0); w3 = 1; *(u8 *)(r2 + 0) = w3; r0 = 1; exit;"); }
