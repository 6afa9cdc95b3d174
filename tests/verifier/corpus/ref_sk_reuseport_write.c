#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: its context is read-only.
SEC("sk_reuseport") NAKED int prog(struct sk_reuseport_md *md) { asm volatile("w2 = 0; *(u32 *)(r1 + 32) = w2; r0 = 1; exit;"); }
