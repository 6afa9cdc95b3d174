#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a copy of a lookup result is NULL-checked; the original is then safe too.
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[m] ll; call 1; r6 = r0; if r6 == 0 goto 1f; r0 = *(u64 *)(r0 + 0); 1: r0 = 2; exit;" :: [m]"i"(&counts)); }
