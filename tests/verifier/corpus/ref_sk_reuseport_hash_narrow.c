#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: hash is read whole.
SEC("sk_reuseport") NAKED int prog(struct sk_reuseport_md *md) { asm volatile("r2 = *(u16 *)(r1 + 32); r0 = 1; exit;"); }
