#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: 8 bytes at once span both fields.
SEC("cgroup/sysctl") NAKED int prog(struct bpf_sysctl *ctx) { asm volatile("r2 = *(u64 *)(r1 + 0); r0 = 1; exit;"); }
