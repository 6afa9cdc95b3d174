#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sock_ops may read the segment's TCP header, not write it.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r4 = *(u64 *)(r1 + 192); r5 = *(u64 *)(r1 + 200); r0 = r4; r0 += 1; if r0 > r5 goto 1f; w2 = 0; *(u8 *)(r4 + 0) = w2; 1: r0 = 1; exit;"); }
