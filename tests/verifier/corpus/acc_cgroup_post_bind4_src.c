#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: post_bind4 reads the bound address and port (in part too).
SEC("cgroup/post_bind4") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u32 *)(r1 + 24); r2 = *(u8 *)(r1 + 25); r2 = *(u32 *)(r1 + 44); r2 = *(u16 *)(r1 + 44); r0 = 1; exit;"); }
