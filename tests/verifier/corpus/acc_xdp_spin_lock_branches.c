#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Accepted: the lock taken and released on each side of a branch.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = ctx->rx_queue_index & 1;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return XDP_ABORTED;
  if (ctx->ingress_ifindex > 3) {
    bpf_spin_lock(&v->lock);
    v->count += 2;
    bpf_spin_unlock(&v->lock);
  } else {
    bpf_spin_lock(&v->lock);
    v->count -= 1;
    bpf_spin_unlock(&v->lock);
  }
  return XDP_PASS;
}
