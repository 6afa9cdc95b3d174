#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: cb may be written 8 bytes at a time (its end is all bpf_skb_is_valid_access checks).
SEC("tc") NAKED int prog(struct __sk_buff *skb) { asm volatile("r2 = 0; *(u64 *)(r1 + 48) = r2; r0 = 0; exit;"); }
