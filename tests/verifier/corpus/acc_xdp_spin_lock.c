#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Accepted: a map value's lock taken and released around an update of the same value.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = ctx->rx_queue_index & 3;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return XDP_ABORTED;
  bpf_spin_lock(&v->lock);
  v->count++;
  bpf_spin_unlock(&v->lock);
  return XDP_PASS;
}
