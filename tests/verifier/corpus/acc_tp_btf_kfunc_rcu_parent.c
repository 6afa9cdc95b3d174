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
// Accepted: prev->real_parent is RCU-safe (BTF_TYPE_SAFE_RCU) in a non-sleepable program, which a KF_RCU kfunc takes.
SEC("tp_btf/sched_switch") int BPF_PROG(prog, _Bool preempt, struct task_struct *prev, struct task_struct *next) {
  struct task_struct *p = bpf_task_acquire(prev->real_parent);
  if (p) bpf_task_release(p);
  return 0;
}
