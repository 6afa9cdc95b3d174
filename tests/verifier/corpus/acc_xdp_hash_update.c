#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a hash map updated with a key and value on the stack.
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = ctx->ingress_ifindex; __u64 one = 1;
  bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
  return XDP_PASS;
}
