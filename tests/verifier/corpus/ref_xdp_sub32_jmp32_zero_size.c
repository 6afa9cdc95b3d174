#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the same 32-bit length bounded above only: its low half may be 0, no size for
// bpf_xdp_load_bytes.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r2 = *(u32 *)(r1 + 0); r6 = *(u32 *)(r1 + 4); w6 -= w2; if w6 < 64 goto 1f; w6 = 64; 1: w2 = 0; r3 = r10; r3 += -64; w4 = w6; call 189; r0 = 2; exit;"); }
