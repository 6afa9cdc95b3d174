#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a random value masked to 0..1.
SEC("cgroup_skb/ingress") int prog(struct __sk_buff *skb) { return bpf_get_prandom_u32() & 1; }
