#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a cgroup_skb egress program may return 0..3 (bit 1: congestion notification).
SEC("cgroup_skb/egress") int prog(struct __sk_buff *skb) { return 3; }
