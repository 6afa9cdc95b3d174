#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a number passed where bpf_map_lookup_elem wants a map.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r1 = 0; r2 = r10; r2 += -8; call 1; r0 = 2; exit;"); }
