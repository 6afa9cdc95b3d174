#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: sk_msg reads its fields 4 bytes at a time (remote_ip6[2] too), data/data_end as the message, sk as a socket, and may write the message bytes it checked.
SEC("sk_msg") NAKED int prog(struct sk_msg_md *msg) { asm volatile("r2 = *(u32 *)(r1 + 16); r2 = *(u32 *)(r1 + 36); r2 = *(u32 *)(r1 + 68); r3 = *(u64 *)(r1 + 72); r4 = *(u64 *)(r1 + 0); r5 = *(u64 *)(r1 + 8); r0 = r4; r0 += 1; if r0 > r5 goto 1f; w2 = 0; *(u8 *)(r4 + 0) = w2; 1: r0 = 1; exit;"); }
