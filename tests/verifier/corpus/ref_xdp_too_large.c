#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a loop of two million iterations exceeds the 1M processed-instruction budget.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r0 = 0; 1: r0 += 1; if r0 < 2000000 goto 1b; r0 = 2; exit;"); }
