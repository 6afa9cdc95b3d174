#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: bind hooks may return 0..3 (bit 1: skip the port capability check).
SEC("cgroup/bind4") int prog(struct bpf_sock_addr *ctx) { return 3; }
