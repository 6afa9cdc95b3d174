#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: the packet bound proven with data + 14 < data_end (strict).
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4); r4 = r2; r4 += 13; if r4 < r3 goto 1f; r0 = 1; exit; 1: r0 = *(u8 *)(r2 + 13); r0 = 2; exit;"); }
