#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// iter: NULL
SEC("iter/task") NAKED int prog(void *ctx) { asm volatile("r1 = 0; call 46; r0 = 0; exit;"); }
