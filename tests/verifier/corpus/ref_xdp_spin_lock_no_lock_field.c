#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } plain SEC(".maps");
// Refused: the map's value has no struct bpf_spin_lock.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *v = bpf_map_lookup_elem(&plain, &key);
  if (!v) return XDP_ABORTED;
  bpf_spin_lock((struct bpf_spin_lock *)v);
  bpf_spin_unlock((struct bpf_spin_lock *)v);
  return XDP_PASS;
}
