#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a syscall program reads and writes its context (the caller's buffer) at any aligned offset an instruction can name.
SEC("syscall") NAKED int prog(void *ctx) { asm volatile("r2 = *(u64 *)(r1 + 0); r3 = *(u8 *)(r1 + 9); r2 = *(u32 *)(r1 + 1000); *(u64 *)(r1 + 16) = r2; w2 = 1; *(u32 *)(r1 + 32760) = w2; r0 = 0; exit;"); }
