#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk_msg fields are read 4 bytes at a time.
SEC("sk_msg") NAKED int prog(struct sk_msg_md *msg) { asm volatile("r2 = *(u16 *)(r1 + 60); r0 = 1; exit;"); }
