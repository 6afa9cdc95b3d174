#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sockopt programs return 0 or 1.
SEC("cgroup/getsockopt") int prog(struct bpf_sockopt *ctx) { return 2; }
