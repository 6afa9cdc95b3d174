#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; } __attribute__((preserve_access_index));
struct bpf_iter_meta { struct seq_file *seq; __u64 session_id; __u64 seq_num; } __attribute__((preserve_access_index));
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
// Accepted: ctx->task is trusted: a kfunc that wants a trusted or RCU task takes it once NULL-checked.
SEC("iter/task") int prog(struct bpf_iter__task *ctx) {
  struct task_struct *t = ctx->task;
  if (!t) return 0;
  t = bpf_task_acquire(t);
  if (!t) return 0;
  int pid = t->pid;
  bpf_task_release(t);
  return pid & 1;
}
