#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; };
struct cgroup { int level; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
// Refused: a task released by the cgroup release kfunc.
SEC("tracepoint/syscalls/sys_enter_kill") int prog(__u64 *ctx) {
  struct task_struct *t = bpf_task_from_pid((int)ctx[2]);
  if (!t) return 0;
  bpf_cgroup_release((struct cgroup *)t);
  return 0;
}
