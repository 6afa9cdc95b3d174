#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: 8 bytes of user_ip6 from offset 20 run past it.
SEC("cgroup/connect6") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u64 *)(r1 + 24); r0 = 1; exit;"); }
