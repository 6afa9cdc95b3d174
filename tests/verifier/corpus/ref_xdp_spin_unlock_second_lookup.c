#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Refused: a second lookup of the same key is another pointer to the verifier: not the lock taken.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  struct val *a = bpf_map_lookup_elem(&locked, &key);
  if (!a) return XDP_ABORTED;
  struct val *b = bpf_map_lookup_elem(&locked, &key);
  if (!b) return XDP_ABORTED;
  bpf_spin_lock(&a->lock);
  a->count++;
  bpf_spin_unlock(&b->lock);
  return XDP_PASS;
}
