#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: family is read-only.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *sk) { asm volatile("w2 = 2; *(u32 *)(r1 + 4) = w2; r0 = 1; exit;"); }
