#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a bpf-to-bpf call with a packet argument.
static __attribute__((noinline)) int first_byte(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 1 > data_end) return 0;
  return *(unsigned char *)data;
}
SEC("xdp") int prog(struct xdp_md *ctx) { return first_byte(ctx) == 0xff ? XDP_DROP : XDP_PASS; }
