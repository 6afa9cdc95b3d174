#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: offset 16 is past struct bpf_nf_ctx.
SEC("netfilter") NAKED int prog(void *ctx) { asm volatile(
"r0 = *(u64 *)(r1 + 16); r0 = 1; exit;"); }
