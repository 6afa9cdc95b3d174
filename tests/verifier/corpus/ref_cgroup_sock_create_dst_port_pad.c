#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the 2 bytes after dst_port are padding.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *sk) { asm volatile("r2 = *(u16 *)(r1 + 50); r0 = 1; exit;"); }
