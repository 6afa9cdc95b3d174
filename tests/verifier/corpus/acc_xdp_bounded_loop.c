#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a loop with a constant bound (bounded loops, Linux 5.3+).
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 sum = 0;
  #pragma clang loop unroll(disable)
  for (int i = 0; i < 64; i++) sum += i * ctx->ingress_ifindex;
  return sum & 1 ? XDP_PASS : XDP_DROP;
}
