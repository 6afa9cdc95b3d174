#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a packet pointer plus a bounded variable, then checked against data_end.
SEC("xdp") int prog(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  __u32 off = ctx->rx_queue_index & 31;
  unsigned char *p = data + off;
  if ((void *)(p + 1) > data_end) return XDP_PASS;
  return *p ? XDP_DROP : XDP_PASS;
}
