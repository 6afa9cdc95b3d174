#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: write (whether the sysctl is being written) is read-only.
SEC("cgroup/sysctl") NAKED int prog(struct bpf_sysctl *ctx) { asm volatile("w2 = 0; *(u32 *)(r1 + 0) = w2; r0 = 1; exit;"); }
