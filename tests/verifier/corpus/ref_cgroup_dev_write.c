#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a device cgroup program may not write its context.
SEC("cgroup/dev") NAKED int prog(struct bpf_cgroup_dev_ctx *ctx) { asm volatile("w2 = 0; *(u32 *)(r1 + 4) = w2; r0 = 1; exit;"); }
