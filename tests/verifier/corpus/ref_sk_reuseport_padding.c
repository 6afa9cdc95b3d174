#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the 4 bytes after hash are padding.
SEC("sk_reuseport") NAKED int prog(struct sk_reuseport_md *md) { asm volatile("r2 = *(u32 *)(r1 + 36); r0 = 1; exit;"); }
