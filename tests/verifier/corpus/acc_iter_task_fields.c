#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; } __attribute__((preserve_access_index));
struct bpf_iter_meta { struct seq_file *seq; __u64 session_id; __u64 seq_num; } __attribute__((preserve_access_index));
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
// Accepted: ctx->task (NULL on the call after the last task) read after a NULL check, ctx->meta always there.
SEC("iter/task") int prog(struct bpf_iter__task *ctx) {
  struct task_struct *t = ctx->task;
  if (!t) return ctx->meta->seq_num & 1;
  return t->pid & 1;
}
