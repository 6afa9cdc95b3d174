#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a cgroup_skb ingress program may return only 0 or 1; 2 (congestion notification) is for egress.
SEC("cgroup_skb/ingress") int prog(struct __sk_buff *skb) { return 2; }
