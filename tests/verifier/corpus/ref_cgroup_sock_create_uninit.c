#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: R0 never written.
SEC("cgroup/sock_create") NAKED int prog(struct bpf_sock *ctx) { asm volatile("exit;"); }
