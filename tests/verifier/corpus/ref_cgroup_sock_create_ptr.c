#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: R0 holds the context pointer where a number in [0, 1] is expected.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *ctx) { asm volatile("r0 = r1; exit;"); }
