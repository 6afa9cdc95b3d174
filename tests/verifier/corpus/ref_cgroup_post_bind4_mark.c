#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: mark is for sock_create and sock_release.
SEC("cgroup/post_bind4") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u32 *)(r1 + 16); r0 = 1; exit;"); }
