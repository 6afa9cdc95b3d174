#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk is read whole.
SEC("cgroup/connect4") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u32 *)(r1 + 64); r0 = 1; exit;"); }
