#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: on the path explored first r7 is a copy of r6, so bounding r6 bounds r7 and the
// access is safe; on the other path r7 is an unrelated number of the same (unknown) range. The
// ranges match where the paths join, but the first path's state must not prune the second:
// its copy link is what made it safe.
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64[2]); } vals SEC(".maps");
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"call 7; r6 = r0; call 7; if r0 > 100 goto other; r7 = r6; goto joined; other: call 7; r7 = r0; joined:"
"r1 = 0; *(u32 *)(r10 - 4) = r1; r1 = %[m] ll; r2 = r10; r2 += -4; call 1; if r0 == 0 goto out;"
"if r6 > 12 goto out; r0 += r7; r0 = *(u8 *)(r0 + 0);"
"out: r0 = 2; exit;" :: [m]"i"(&vals)); }
