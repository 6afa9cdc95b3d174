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
static __attribute__((noinline)) struct task_struct *get(int pid) { return bpf_task_from_pid(pid); }
// Accepted: a reference taken in a static function, released by its caller.
SEC("tracepoint/syscalls/sys_enter_kill") int prog(__u64 *ctx) {
  struct task_struct *t = get((int)ctx[2]);
  if (t) bpf_task_release(t);
  return 0;
}
