#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: connect6 reads and writes user_ip6 8 bytes at a time from an 8-aligned offset.
SEC("cgroup/connect6") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u64 *)(r1 + 8); r3 = *(u64 *)(r1 + 16); r2 = *(u32 *)(r1 + 20); *(u64 *)(r1 + 16) = r3; r0 = 1; exit;"); }
