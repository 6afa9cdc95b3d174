#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: no metadata area before the packet for cgroup_skb.
SEC("cgroup_skb/ingress") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = *(u32 *)(r1 + 140); r0 = 1; exit;"); }
