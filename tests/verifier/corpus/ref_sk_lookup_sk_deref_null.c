#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: ctx->sk may be NULL (PTR_TO_SOCKET_OR_NULL).
SEC("sk_lookup") NAKED int prog(void *ctx) { asm volatile(
"r2 = *(u64 *)(r1 + 0); r0 = *(u32 *)(r2 + 4); r0 = 1; exit;"); }
