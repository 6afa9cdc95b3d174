#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the sk_msg context is read-only.
SEC("sk_msg") NAKED int prog(struct sk_msg_md *msg) { asm volatile("w2 = 0; *(u32 *)(r1 + 68) = w2; r0 = 1; exit;"); }
