#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: getsockopt reads level, optname, optlen and retval, reads and writes the option value between optval and optval_end, and sets optlen and retval.
SEC("cgroup/getsockopt") NAKED int prog(struct bpf_sockopt *ctx) { asm volatile("r2 = *(u32 *)(r1 + 24); r2 = *(u32 *)(r1 + 28); r2 = *(u32 *)(r1 + 32); r2 = *(u32 *)(r1 + 36); r3 = *(u64 *)(r1 + 0); r4 = *(u64 *)(r1 + 8); r5 = *(u64 *)(r1 + 16); r0 = r4; r0 += 4; if r0 > r5 goto 1f; w2 = 1; *(u32 *)(r4 + 0) = w2; w2 = 4; *(u32 *)(r1 + 32) = w2; w2 = 0; *(u32 *)(r1 + 36) = w2; 1: r0 = 1; exit;"); }
