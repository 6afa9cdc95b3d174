#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Refused: two lookups of key 0 (which cannot fail) are two pointers to the verifier, and the
// lock taken through one is not released through the other.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 k0 = 0;
  struct val *a = bpf_map_lookup_elem(&locked, &k0);
  struct val *b = bpf_map_lookup_elem(&locked, &k0);
  bpf_spin_lock(&a->lock);
  a->count++;
  bpf_spin_unlock(&b->lock);
  return XDP_PASS;
}
