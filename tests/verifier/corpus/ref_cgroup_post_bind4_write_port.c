#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: post_bind only reads the port.
SEC("cgroup/post_bind4") NAKED int prog(struct bpf_sock *sk) { asm volatile("w2 = 1; *(u32 *)(r1 + 44) = w2; r0 = 1; exit;"); }
