#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; struct task_struct *real_parent; struct task_struct *parent; } __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
enum pid_type { PIDTYPE_PID };
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, __u64 value) __ksym;
// Refused: t->parent in a sleepable program is untrusted, which bpf_send_signal_task (KF_TRUSTED_ARGS) refuses.
SEC("syscall") int prog(void *ctx) {
  struct task_struct *t = bpf_task_from_pid(1);
  if (!t) return 0;
  bpf_send_signal_task(t->parent, 0, PIDTYPE_PID, 0);
  bpf_task_release(t);
  return 0;
}
