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
// Accepted: a cgroup by id, released.
SEC("tracepoint/syscalls/sys_enter_kill") int prog(__u64 *ctx) {
  struct cgroup *c = bpf_cgroup_from_id(ctx[2]);
  if (!c) return 0;
  bpf_cgroup_release(c);
  return 1;
}
