#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a signed comparison bounds an index into a map value.
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, char[64]); } buf SEC(".maps");
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r6 = *(u32 *)(r1 + 12); r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[m] ll; call 1; if r0 == 0 goto 1f; if r6 s> 63 goto 1f; if r6 s< 0 goto 1f; r0 += r6; r0 = *(u8 *)(r0 + 0); 1: r0 = 2; exit;" :: [m]"i"(&buf)); }
