#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk_reuseport reads the packet only.
SEC("sk_reuseport") NAKED int prog(struct sk_reuseport_md *md) { asm volatile("r4 = *(u64 *)(r1 + 0); r5 = *(u64 *)(r1 + 8); r0 = r4; r0 += 1; if r0 > r5 goto 1f; w2 = 0; *(u8 *)(r4 + 0) = w2; 1: r0 = 1; exit;"); }
