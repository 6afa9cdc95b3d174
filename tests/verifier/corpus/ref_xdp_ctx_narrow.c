#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a 1-byte read of xdp_md->ingress_ifindex (XDP allows only 4-byte reads).
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile("r0 = *(u8 *)(r1 + 12); exit;"); }
