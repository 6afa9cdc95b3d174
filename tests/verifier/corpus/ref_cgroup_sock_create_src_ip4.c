#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the source address is for post_bind hooks.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u32 *)(r1 + 24); r0 = 1; exit;"); }
