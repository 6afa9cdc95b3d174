#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: an IPv4 connect hook has no user_ip6.
SEC("cgroup/connect4") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u32 *)(r1 + 8); r0 = 1; exit;"); }
