#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
// Refused: a legacy packet load while holding the lock.
SEC("tc") int prog(struct __sk_buff *skb) {
  __u32 key = 0;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return TC_ACT_OK;
  bpf_spin_lock(&v->lock);
  v->count += load_byte(skb, 12);
  bpf_spin_unlock(&v->lock);
  return TC_ACT_OK;
}
