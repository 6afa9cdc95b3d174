#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: r1-r5 are unreadable after a helper call.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile("call 5; r0 = r1; exit;"); }
