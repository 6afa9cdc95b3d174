#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a packet pointer spilled to the stack and filled keeps its range.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4); r4 = r2; r4 += 4; if r4 > r3 goto 1f; *(u64 *)(r10 - 8) = r2; r5 = *(u64 *)(r10 - 8); r0 = *(u32 *)(r5 + 0); 1: r0 = 2; exit;"); }
