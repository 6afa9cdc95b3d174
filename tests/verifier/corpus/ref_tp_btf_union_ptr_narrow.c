#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a pointer member of a union read in part.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = *(u64 *)(r1 + 8); r2 = *(u32 *)(r1 + 16); r0 = 0; exit;"); }
