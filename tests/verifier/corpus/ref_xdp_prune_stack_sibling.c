#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: fp-8 holds 8, or 64 on the path explored last. After the join one side of a branch
// overwrites fp-8 and ends; the other reads fp-8 as a map value offset. That read counts for the
// states recorded before the branch although the overwrite came earlier in time, so the path
// with 64 is not pruned against them.
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64[2]); } vals SEC(".maps");
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r1 = 0; *(u32 *)(r10 - 16) = r1; call 7; r9 = r0; call 7; if r0 > 100 goto big;"
"r1 = 8; *(u64 *)(r10 - 8) = r1; goto joined; big: r1 = 64; *(u64 *)(r10 - 8) = r1; joined:"
"call 7; if r0 > 100 goto 1f; r7 = 1; goto 2f; 1: r7 = 2; 2:"
"call 7; if r0 > 100 goto 1f; r7 = 1; goto 2f; 1: r7 = 2; 2:"
"call 7; if r0 > 100 goto 1f; r7 = 1; goto 2f; 1: r7 = 2; 2:"
"if r9 > 50 goto use; r1 = 0; *(u64 *)(r10 - 8) = r1; r0 = 2; exit;"
"use: r1 = %[m] ll; r2 = r10; r2 += -16; call 1; if r0 == 0 goto out;"
"r7 = *(u64 *)(r10 - 8); r0 += r7; r0 = *(u8 *)(r0 + 0);"
"out: r0 = 2; exit;" :: [m]"i"(&vals)); }
