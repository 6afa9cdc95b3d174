#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: cgroup_skb writes cb 8 bytes at a time too.
SEC("cgroup_skb/ingress") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = 0; *(u64 *)(r1 + 56) = r2; r0 = 1; exit;"); }
