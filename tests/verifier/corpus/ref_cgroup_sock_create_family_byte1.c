#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: family is read in part from its first byte only.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u8 *)(r1 + 5); r0 = 1; exit;"); }
