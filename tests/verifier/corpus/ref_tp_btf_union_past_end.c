#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: 8 bytes at offset 4 run past the 8-byte union that holds offset 4.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = *(u64 *)(r1 + 0); r2 = *(u64 *)(r1 + 4); r0 = 0; exit;"); }
