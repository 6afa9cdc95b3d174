#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a ring buffer record written after it was submitted.
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 *e = bpf_ringbuf_reserve(&rb, 8, 0);
  if (!e) return XDP_PASS;
  bpf_ringbuf_submit(e, 0);
  *(volatile __u32 *)e = 1;
  return XDP_PASS;
}
