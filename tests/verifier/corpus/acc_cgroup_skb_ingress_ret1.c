#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a cgroup_skb ingress program returns 1 (pass), inside [0, 1].
SEC("cgroup_skb/ingress") int prog(struct __sk_buff *skb) { return 1; }
