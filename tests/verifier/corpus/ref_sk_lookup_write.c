#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk_lookup's context is read only.
SEC("sk_lookup") NAKED int prog(void *ctx) { asm volatile(
"r2 = 0; *(u32 *)(r1 + 60) = r2; r0 = 1; exit;"); }
