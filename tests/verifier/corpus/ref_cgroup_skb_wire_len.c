#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: wire_len is not given to cgroup_skb.
SEC("cgroup_skb/ingress") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = *(u32 *)(r1 + 160); r0 = 1; exit;"); }
