#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: major may only be read whole.
SEC("cgroup/dev") NAKED int prog(struct bpf_cgroup_dev_ctx *ctx) { asm volatile("r0 = *(u16 *)(r1 + 4); r0 = 1; exit;"); }
