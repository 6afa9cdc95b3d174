#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
static __attribute__((noinline)) int take(struct val *v) { bpf_spin_lock(&v->lock); v->count++; return 0; }
// Accepted: the lock taken in a static function and released by its caller.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return XDP_ABORTED;
  take(v);
  bpf_spin_unlock(&v->lock);
  return XDP_PASS;
}
