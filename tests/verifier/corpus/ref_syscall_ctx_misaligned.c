#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: context accesses must be aligned to their size.
SEC("syscall") NAKED int prog(void *ctx) { asm volatile("r2 = *(u32 *)(r1 + 2); r0 = 0; exit;"); }
