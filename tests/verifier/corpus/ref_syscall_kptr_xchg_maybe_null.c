#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; } __attribute__((preserve_access_index));
struct cgroup { int level; } __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
typedef struct task_struct task_t;
struct stash { __u64 other; task_t __kptr *task; task_t __kptr_untrusted *weak; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct stash); } tasks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct stash); } htasks SEC(".maps");
// Refused: a reference that may be NULL moved in (bpf_task_from_pid's result, unchecked).
SEC("syscall") int prog(void *ctx) { __u32 z = 0; struct stash *v = bpf_map_lookup_elem(&tasks, &z); if (!v) return 0;
  struct task_struct *t = bpf_task_from_pid(1);
  struct task_struct *old = bpf_kptr_xchg(&v->task, t); if (old) bpf_task_release(old); return 0; }
