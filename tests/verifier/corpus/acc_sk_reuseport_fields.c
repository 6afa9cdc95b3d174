#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: sk_reuseport reads len, the protocols and bind_inany in part, hash whole, sk and the packet.
SEC("sk_reuseport") NAKED int prog(struct sk_reuseport_md *md) { asm volatile("r2 = *(u8 *)(r1 + 16); r2 = *(u16 *)(r1 + 22); r2 = *(u8 *)(r1 + 24); r2 = *(u32 *)(r1 + 28); r2 = *(u32 *)(r1 + 32); r3 = *(u64 *)(r1 + 40); r4 = *(u64 *)(r1 + 0); r5 = *(u64 *)(r1 + 8); r0 = r4; r0 += 1; if r0 > r5 goto 1f; r2 = *(u8 *)(r4 + 0); 1: r0 = 1; exit;"); }
