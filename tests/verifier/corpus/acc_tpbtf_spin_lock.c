#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Accepted: BTF tracing programs (unlike kprobes) may take a map value's lock.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
  __u32 key = 0;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return 0;
  bpf_spin_lock(&v->lock);
  v->count++;
  bpf_spin_unlock(&v->lock);
  return 0;
}
