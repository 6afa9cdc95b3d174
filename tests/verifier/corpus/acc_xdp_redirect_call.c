#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: bpf_redirect (helper 23) from XDP, with numbers as arguments.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile("r2 = 0; r3 = 0; call 23; r0 = 2; exit;"); }
