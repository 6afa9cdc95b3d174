#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: socket filters may not write skb->mark.
SEC("socket") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = 1; *(u32 *)(r1 + 8) = r2; r0 = 0; exit;"); }
