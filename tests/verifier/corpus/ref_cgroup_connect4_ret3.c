#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: connect hooks return 0 or 1 only.
SEC("cgroup/connect4") int prog(struct bpf_sock_addr *ctx) { return 3; }
