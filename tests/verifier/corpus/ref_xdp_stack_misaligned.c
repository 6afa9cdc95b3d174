#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a 4-byte stack store at fp-6.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile("r1 = 0; *(u32 *)(r10 - 6) = r1; r0 = 2; exit;"); }
