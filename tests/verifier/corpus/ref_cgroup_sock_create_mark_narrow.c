#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: mark is read whole.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u16 *)(r1 + 16); r0 = 1; exit;"); }
