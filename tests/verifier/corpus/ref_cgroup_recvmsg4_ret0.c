#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: recvmsg hooks may only return 1.
SEC("cgroup/recvmsg4") int prog(struct bpf_sock_addr *ctx) { return 0; }
