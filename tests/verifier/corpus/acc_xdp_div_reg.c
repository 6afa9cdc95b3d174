#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a division by a register that may be 0 (the result is 0, not a fault).
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r2 = *(u32 *)(r1 + 12); r0 = 100; r0 /= r2; r0 &= 3; exit;"); }
