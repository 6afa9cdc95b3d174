#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: tstamp_type is for tc only.
SEC("cgroup_skb/ingress") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = *(u8 *)(r1 + 180); r0 = 1; exit;"); }
