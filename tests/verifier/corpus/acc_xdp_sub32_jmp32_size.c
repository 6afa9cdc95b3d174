#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: w6 = data_end - data is a 32-bit pointer subtraction, wholly unknown; the JMP32
// tests that follow bound its low half to [1, 64] (u32 bounds, then reg_bounds_sync), and the
// 32-bit mov into r4 gives that range: a valid size for bpf_xdp_load_bytes (examples/xdp_dynptr.c).
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r2 = *(u32 *)(r1 + 0); r6 = *(u32 *)(r1 + 4); w6 -= w2; if w6 < 64 goto 1f; w6 = 64; 1: if w6 == 0 goto 2f; w2 = 0; r3 = r10; r3 += -64; w4 = w6; call 189; 2: r0 = 2; exit;"); }
