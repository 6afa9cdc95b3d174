#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a syscall program may not move its context pointer before reading it.
SEC("syscall") NAKED int prog(void *ctx) { asm volatile("r1 += 8; r2 = *(u8 *)(r1 + 0); r0 = 0; exit;"); }
