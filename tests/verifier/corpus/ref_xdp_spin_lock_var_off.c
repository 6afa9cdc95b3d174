#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Refused: the lock's address must be known when the program loads, not computed at run time.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return XDP_ABORTED;
  struct bpf_spin_lock *l = (void *)((char *)v + (ctx->rx_queue_index & 8));
  bpf_spin_lock(l);
  v->count++;
  bpf_spin_unlock(&v->lock);
  return XDP_PASS;
}
