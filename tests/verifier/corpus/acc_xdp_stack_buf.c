#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a stack buffer written then read.
SEC("xdp") int prog(struct xdp_md *ctx) {
  volatile char buf[16];
  for (int i = 0; i < 16; i++) buf[i] = i;
  return buf[ctx->rx_queue_index & 15] == 3 ? XDP_DROP : XDP_PASS;
}
