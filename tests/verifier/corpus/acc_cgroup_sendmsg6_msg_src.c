#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: udp6 sendmsg reads and sets the source address, 8 bytes at a time too.
SEC("cgroup/sendmsg6") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u64 *)(r1 + 48); r2 = *(u32 *)(r1 + 44); *(u64 *)(r1 + 48) = r2; r0 = 1; exit;"); }
