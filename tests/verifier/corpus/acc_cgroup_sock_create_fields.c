#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: sock_create reads family, type and protocol (family in part), and reads and sets bound_dev_if, mark and priority.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u32 *)(r1 + 4); r2 = *(u8 *)(r1 + 4); r2 = *(u32 *)(r1 + 8); r2 = *(u16 *)(r1 + 12); r2 = *(u32 *)(r1 + 0); r2 = *(u32 *)(r1 + 16); w3 = 7; *(u32 *)(r1 + 16) = w3; *(u32 *)(r1 + 20) = w3; *(u32 *)(r1 + 0) = w3; r2 = *(u32 *)(r1 + 52); r2 = *(u16 *)(r1 + 48); r2 = *(u32 *)(r1 + 72); r0 = 1; exit;"); }
