#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a sysctl program reads write and file_pos (in part too) and may move file_pos.
SEC("cgroup/sysctl") NAKED int prog(struct bpf_sysctl *ctx) { asm volatile("r2 = *(u32 *)(r1 + 0); r3 = *(u8 *)(r1 + 4); r4 = *(u16 *)(r1 + 6); w5 = 0; *(u32 *)(r1 + 4) = w5; r0 = 1; exit;"); }
