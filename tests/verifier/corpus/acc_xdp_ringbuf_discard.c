#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a reserved record discarded on one path, submitted on the other.
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 *e = bpf_ringbuf_reserve(&rb, 8, 0);
  if (!e) return XDP_PASS;
  if (ctx->ingress_ifindex == 3) { bpf_ringbuf_discard(e, 0); return XDP_DROP; }
  *e = ctx->rx_queue_index;
  bpf_ringbuf_submit(e, 0);
  return XDP_PASS;
}
