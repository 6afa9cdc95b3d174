#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: cgroup_skb reads __sk_buff as tc does (len in part too), reads the packet after comparing with data_end, and writes mark, priority, cb and tstamp.
SEC("cgroup_skb/egress") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = *(u32 *)(r1 + 0); r2 = *(u8 *)(r1 + 0); r3 = *(u32 *)(r1 + 16); r4 = *(u32 *)(r1 + 76); r5 = *(u32 *)(r1 + 80); r0 = r4; r0 += 1; if r0 > r5 goto 1f; r0 = *(u8 *)(r4 + 0); 1: w2 = 7; *(u32 *)(r1 + 8) = w2; *(u32 *)(r1 + 32) = w2; *(u32 *)(r1 + 52) = w2; r2 = 0; *(u64 *)(r1 + 152) = r2; r2 = *(u64 *)(r1 + 184); r0 = 1; exit;"); }
