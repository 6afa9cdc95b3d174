#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: sk_lookup's u32 fields read whole and in part, remote_port whole (4 bytes), in part and its zero padding, sk 8 bytes (a socket or NULL).
SEC("sk_lookup") NAKED int prog(void *ctx) { asm volatile(
"r2 = *(u64 *)(r1 + 0); r0 = *(u32 *)(r1 + 8); r0 = *(u8 *)(r1 + 13); r0 = *(u16 *)(r1 + 18); r0 = *(u32 *)(r1 + 32); r0 = *(u32 *)(r1 + 36); r0 = *(u16 *)(r1 + 36); r0 = *(u8 *)(r1 + 37); r0 = *(u16 *)(r1 + 38); r0 = *(u8 *)(r1 + 39); r0 = *(u32 *)(r1 + 60); r0 = *(u16 *)(r1 + 62); r0 = *(u32 *)(r1 + 64); r0 = 1; exit;"); }
