#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: msg_src_ip4 is for udp4 sendmsg hooks only.
SEC("cgroup/connect4") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u32 *)(r1 + 40); r0 = 1; exit;"); }
