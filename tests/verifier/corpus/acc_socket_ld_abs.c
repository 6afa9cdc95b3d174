#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a socket filter reading the packet with classic loads (ld abs).
SEC("socket") NAKED int prog(struct __sk_buff *skb) { asm volatile("r6 = r1; r0 = *(u16 *)skb[12]; if r0 == 0x800 goto 1f; r0 = 0; exit; 1: r0 = -1; exit;"); }
