#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a write past the end of an 8-byte ring buffer record.
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
SEC("xdp") NAKED int prog(struct xdp_md *ctx) { asm volatile(
"r1 = %[m] ll; r2 = 8; r3 = 0; call 131; if r0 == 0 goto 1f; r1 = 0; *(u64 *)(r0 + 4) = r1; r1 = r0; r2 = 0; call 132; 1: r0 = 2; exit;" :: [m]"i"(&rb)); }
