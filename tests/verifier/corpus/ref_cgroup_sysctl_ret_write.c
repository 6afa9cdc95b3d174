#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: write reads as any u32, and a sysctl program returns 0 (refuse) or 1 (allow) only.
SEC("cgroup/sysctl") NAKED int prog(struct bpf_sysctl *ctx) { asm volatile("r0 = *(u32 *)(r1 + 0); exit;"); }
