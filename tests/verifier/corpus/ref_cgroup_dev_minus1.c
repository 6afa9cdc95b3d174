#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a device cgroup program returns 0 (deny) or 1 (allow), not -1.
SEC("cgroup/dev") NAKED int prog(struct bpf_cgroup_dev_ctx *ctx) { asm volatile("r0 = -1; exit;"); }
