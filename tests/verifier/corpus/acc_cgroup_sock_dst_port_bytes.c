#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: dst_port byte by byte, and the legacy 4-byte read from its start.
SEC("cgroup/post_bind6") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u8 *)(r1 + 48); r2 = *(u8 *)(r1 + 49); r2 = *(u32 *)(r1 + 48); r2 = *(u32 *)(r1 + 32); r2 = *(u32 *)(r1 + 76); r0 = 1; exit;"); }
