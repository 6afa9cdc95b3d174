#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the context is 12 bytes.
SEC("cgroup/dev") NAKED int prog(struct bpf_cgroup_dev_ctx *ctx) { asm volatile("r0 = *(u32 *)(r1 + 12); r0 = 1; exit;"); }
