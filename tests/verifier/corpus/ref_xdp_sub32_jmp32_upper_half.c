#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the JMP32 tests bound only the low half of the 32-bit pointer subtraction's result;
// its upper half stays unknown, so the whole register (a 64-bit mov) is no bounded size.
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r2 = *(u32 *)(r1 + 0); r6 = *(u32 *)(r1 + 4); w6 -= w2; if w6 > 63 goto 2f; if w6 == 0 goto 2f; w2 = 0; r3 = r10; r3 += -64; r4 = r6; call 189; 2: r0 = 2; exit;"); }
