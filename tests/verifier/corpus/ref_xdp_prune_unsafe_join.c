#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: two paths reach the same join with different indexes (8 and 64 into a 16-byte map
// value), and several prune points follow. The path with 8 is explored first and is safe; the
// one with 64 must not be pruned against it.
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64[2]); } vals SEC(".maps");
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"call 7; if r0 > 100 goto big; r9 = 8; goto joined; big: r9 = 64; joined:"
"call 7; if r0 > 100 goto d1t; r7 = 1; goto d1j; d1t: r7 = 2; d1j:"
"call 7; if r0 > 100 goto d2t; r7 = 1; goto d2j; d2t: r7 = 2; d2j:"
"call 7; if r0 > 100 goto d3t; r7 = 1; goto d3j; d3t: r7 = 2; d3j:"
"call 7; if r0 > 100 goto d4t; r7 = 1; goto d4j; d4t: r7 = 2; d4j:"
"call 7; if r0 > 100 goto d5t; r7 = 1; goto d5j; d5t: r7 = 2; d5j:"
"r1 = 0; *(u32 *)(r10 - 4) = r1; r1 = %[m] ll; r2 = r10; r2 += -4; call 1; if r0 == 0 goto out;"
"r0 += r9; r0 = *(u8 *)(r0 + 0);"
"out: r0 = 2; exit;" :: [m]"i"(&vals)); }
