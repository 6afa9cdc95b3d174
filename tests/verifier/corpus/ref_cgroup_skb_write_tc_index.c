#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: tc_index is for tc to write, not cgroup_skb.
SEC("cgroup_skb/ingress") NAKED int prog(struct __sk_buff *skb) { asm volatile("w2 = 1; *(u32 *)(r1 + 44) = w2; r0 = 1; exit;"); }
