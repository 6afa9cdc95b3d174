#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: sock_ops reads the TCP header after comparing with skb_data_end.
SEC("sockops") NAKED int prog(struct bpf_sock_ops *ctx) { asm volatile("r4 = *(u64 *)(r1 + 192); r5 = *(u64 *)(r1 + 200); r0 = r4; r0 += 20; if r0 > r5 goto 1f; r2 = *(u8 *)(r4 + 13); 1: r0 = 1; exit;"); }
