#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a packet pointer plus a number with no lower bound.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r6 = r1; r2 = *(u32 *)(r1 + 0); call 7; r2 = *(u32 *)(r6 + 0); r2 += r0; r0 = 2; exit;"); }
