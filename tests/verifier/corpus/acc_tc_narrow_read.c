#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// A 2-byte read of __sk_buff->protocol in a TC program.
SEC("tc") NAKED int prog(struct __sk_buff *skb) { asm volatile("r0 = *(u16 *)(r1 + 16); exit;"); }
