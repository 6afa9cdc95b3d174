#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: user_port is written whole.
SEC("cgroup/connect4") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("w2 = 80; *(u16 *)(r1 + 24) = w2; r0 = 1; exit;"); }
