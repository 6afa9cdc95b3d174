#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: sock_ops reads its u32 fields whole, the u64 counters whole, skb_tcp_flags in part, sk as a socket or NULL; it writes reply and sk_txhash.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 20); r4 = *(u32 *)(r1 + 64); r5 = *(u64 *)(r1 + 176); r2 = *(u8 *)(r1 + 212); r2 = *(u16 *)(r1 + 212); r2 = *(u64 *)(r1 + 216); r2 = *(u32 *)(r1 + 208); w3 = 1; *(u32 *)(r1 + 4) = w3; *(u32 *)(r1 + 164) = w3; r2 = *(u64 *)(r1 + 184); if r2 == 0 goto 1f; r2 = 0; 1: r0 = 1; exit;"); }
