#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: lwt_in reads the packet but may not write it (lwt_xmit may).
SEC("lwt_in") NAKED int prog(struct __sk_buff *skb) { asm volatile("r4 = *(u32 *)(r1 + 76); r5 = *(u32 *)(r1 + 80); r0 = r4; r0 += 1; if r0 > r5 goto 1f; w2 = 0; *(u8 *)(r4 + 0) = w2; 1: r0 = 0; exit;"); }
