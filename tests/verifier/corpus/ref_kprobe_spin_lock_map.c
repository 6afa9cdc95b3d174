#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Refused: tracing programs may not use a map whose value holds a bpf_spin_lock, even without
// taking the lock (the kernel refuses it before walking any instruction).
SEC("kprobe/do_unlinkat") int prog(void *ctx) {
  __u32 key = 0;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return 0;
  v->count++;
  return 0;
}
