#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: file_pos is written whole only.
SEC("cgroup/sysctl") NAKED int prog(struct bpf_sysctl *ctx) { asm volatile("w2 = 0; *(u16 *)(r1 + 4) = w2; r0 = 1; exit;"); }
