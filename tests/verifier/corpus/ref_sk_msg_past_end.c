#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: struct sk_msg_md ends at 80.
SEC("sk_msg") NAKED int prog(struct sk_msg_md *msg) { asm volatile("r2 = *(u32 *)(r1 + 80); r0 = 1; exit;"); }
