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
// Accepted: a tp_btf argument (trusted) acquired and released.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
  struct task_struct *prev = (void *)ctx[1];
  struct task_struct *t = bpf_task_acquire(prev);
  if (t) bpf_task_release(t);
  return 0;
}
