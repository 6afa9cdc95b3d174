#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
#define SOL_TCP 6
#define TCP_NODELAY 1
// Accepted: sock_ops sets and reads socket options on its own context (bpf_sock_ops_setsockopt_proto: ARG_PTR_TO_CTX).
SEC("sockops") int prog(struct bpf_sock_ops *ctx) { int one = 1, v = 0; bpf_setsockopt(ctx, SOL_TCP, TCP_NODELAY, &one, sizeof(one)); bpf_getsockopt(ctx, SOL_TCP, TCP_NODELAY, &v, sizeof(v)); return v == 1; }
