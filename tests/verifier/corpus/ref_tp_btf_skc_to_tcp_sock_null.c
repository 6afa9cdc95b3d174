#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: its result may be NULL.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = *(u64 *)(r1 + 0); call 137; r1 = *(u32 *)(r0 + 1800); r0 = 0; exit;"); }
