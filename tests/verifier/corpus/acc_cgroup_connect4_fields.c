#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: connect4 reads and rewrites the IPv4 destination and port (user_port in part too), reads the family, type, protocol and the socket.
SEC("cgroup/connect4") NAKED int prog(struct bpf_sock_addr *ctx) { asm volatile("r2 = *(u32 *)(r1 + 0); r2 = *(u32 *)(r1 + 4); r2 = *(u16 *)(r1 + 24); r2 = *(u8 *)(r1 + 7); r2 = *(u32 *)(r1 + 28); r2 = *(u32 *)(r1 + 32); r2 = *(u32 *)(r1 + 36); r3 = *(u64 *)(r1 + 64); w2 = 0x0100007f; *(u32 *)(r1 + 4) = w2; w2 = 0x5000; *(u32 *)(r1 + 24) = w2; r0 = 1; exit;"); }
