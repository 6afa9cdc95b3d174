#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: no context below its start.
SEC("syscall") NAKED int prog(void *ctx) { asm volatile("r2 = *(u16 *)(r1 - 2); r0 = 0; exit;"); }
