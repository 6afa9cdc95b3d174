#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: ctx->state and ctx->skb read as trusted kernel pointers; state->hook, state->pf and skb->len read through them.
SEC("netfilter") NAKED int prog(void *ctx) { asm volatile(
"r2 = *(u64 *)(r1 + 0); r0 = *(u8 *)(r2 + 0); r0 = *(u8 *)(r2 + 1); r3 = *(u64 *)(r1 + 8); r0 = *(u32 *)(r3 + 112); r0 = 1; exit;"); }
