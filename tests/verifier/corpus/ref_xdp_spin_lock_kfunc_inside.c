#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
struct val { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } locked SEC(".maps");
// Refused: kfuncs are calls too, forbidden while the lock is held.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = 0;
  struct val *v = bpf_map_lookup_elem(&locked, &key);
  if (!v) return XDP_ABORTED;
  bpf_spin_lock(&v->lock);
  struct task_struct *t = bpf_task_from_pid(1);
  if (t) bpf_task_release(t);
  bpf_spin_unlock(&v->lock);
  return XDP_PASS;
}
