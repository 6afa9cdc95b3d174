#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a sysctl program returns 1.
SEC("cgroup/sysctl") int prog(struct bpf_sysctl *ctx) { return 1; }
