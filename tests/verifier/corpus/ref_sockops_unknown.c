#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a helper result is any 64-bit number.
SEC("sockops") int prog(struct bpf_sock_ops *ctx) { return bpf_get_prandom_u32(); }
