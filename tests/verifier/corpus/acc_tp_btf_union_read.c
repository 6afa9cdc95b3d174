#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: struct sock_common keeps its addresses in unions (skc_daddr, skc_rcv_saddr in the anonymous struct of the first; skc_dport in the third): the kernel walks a union as a struct, its first member holding the bytes decides.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = *(u64 *)(r1 + 0); r2 = *(u32 *)(r1 + 4); r3 = *(u16 *)(r1 + 12); r4 = *(u64 *)(r1 + 0); r0 = 0; exit;"); }
