#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a TC program may write skb->mark.
SEC("tc") int prog(struct __sk_buff *skb) { skb->mark = 0x42; skb->priority = 3; return TC_ACT_OK; }
