#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a number used as a pointer.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile("r1 = *(u32 *)(r1 + 12); r0 = *(u8 *)(r1 + 0); exit;"); }
