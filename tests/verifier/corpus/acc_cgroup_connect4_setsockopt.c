#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
#define SOL_TCP 6
#define TCP_NODELAY 1
// Accepted: a connect hook sets an option on the connecting socket through its context.
SEC("cgroup/connect4") int prog(struct bpf_sock_addr *ctx) { int one = 1; bpf_setsockopt(ctx, SOL_TCP, TCP_NODELAY, &one, sizeof(one)); return 1; }
