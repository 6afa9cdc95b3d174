// task_kfuncs.c -- kernel objects a program holds references to: tasks and cgroups.
//
// Teaches: acquiring kfuncs, releasing kfuncs and kptrs (kernel pointers kept in a map).
//   - bpf_task_from_pid(pid) finds a task by its pid and returns it with a reference (NULL for a
//     pid no task has); bpf_cgroup_from_id(id) does the same for a cgroup. A reference must be
//     given back (bpf_task_release, bpf_cgroup_release) on every path before the program exits:
//     the verifier refuses a program that could leak one ("Unreleased reference").
//   - The task's fields are read directly through the pointer (CO-RE relocated: only the
//     members used are declared here).
//   - bpf_kptr_xchg(&value->task, t) moves the reference into the map's __kptr field: the map
//     owns it now, and the program must not release it. The old pointer the field held comes
//     back as a reference the program owns, to release.
//   - bpf_cgroup_ancestor(cg, level) is cg->ancestors[level] with a reference (NULL past
//     cg's level); bpf_task_under_cgroup(task, cg) tests membership.
//
// Try: ctx {pid = 1, cgroup id 1}: the task 1's pid and comm in `seen`, the cgroup's level 0.
// A pid no task has: seen.found stays 0. Run it twice: the second run releases the task the
// first one stored (seen.replaced 1).

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	char comm[16];
} __attribute__((preserve_access_index));

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
	int level;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern long bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor) __ksym;

// The map's kptr field. Through a typedef: clang 14 drops the "kptr" type tag of a pointer to a
// defined struct (the kernel, like libbpf, looks through the typedef to struct task_struct).
typedef struct task_struct task_t;
struct stash {
	task_t __kptr *task;
};

struct args {
	__s32 pid;
	__u32 pad;
	__u64 cgroup_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stash);
} tasks SEC(".maps");

struct seen {
	__s32 found;	// 1: bpf_task_from_pid found the task
	__s32 pid;	// its pid
	char comm[16];	// its name
	__s32 replaced; // 1: the map held a task from an earlier run, which this run released
	__s32 cgroup_found;
	__u64 cgroup_kn_id; // the cgroup's id, read through cgrp->kn->id
	__s32 cgroup_level;
	__s32 root_found;   // bpf_cgroup_ancestor(cg, 0) found the root
	__u64 root_kn_id;
	__s32 past_level;   // bpf_cgroup_ancestor(cg, level + 1) is NULL: 1
	__s32 under;        // bpf_task_under_cgroup(task, root)
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct seen);
} results SEC(".maps");

SEC("syscall")
int stash_task(struct args *ctx)
{
	__u32 zero = 0;
	struct seen *out = bpf_map_lookup_elem(&results, &zero);
	struct stash *v = bpf_map_lookup_elem(&tasks, &zero);
	struct task_struct *t, *old;
	struct cgroup *cg, *root;

	if (!out || !v)
		return 1;
	__builtin_memset(out, 0, sizeof(*out));

	cg = bpf_cgroup_from_id(ctx->cgroup_id);
	if (cg) {
		out->cgroup_found = 1;
		out->cgroup_kn_id = cg->kn->id;
		out->cgroup_level = cg->level;
		root = bpf_cgroup_ancestor(cg, 0);
		if (root) {
			out->root_found = 1;
			out->root_kn_id = root->kn->id;
			bpf_cgroup_release(root);
		}
		root = bpf_cgroup_ancestor(cg, cg->level + 1);
		if (root)
			bpf_cgroup_release(root);
		else
			out->past_level = 1;
	}

	t = bpf_task_from_pid(ctx->pid);
	if (!t) {
		if (cg)
			bpf_cgroup_release(cg);
		return 0;
	}
	out->found = 1;
	out->pid = t->pid;
	__builtin_memcpy(out->comm, t->comm, sizeof(out->comm));
	if (cg) {
		out->under = bpf_task_under_cgroup(t, cg);
		bpf_cgroup_release(cg);
	}

	// The map takes the reference; what it held before comes back to be released.
	old = bpf_kptr_xchg(&v->task, t);
	if (old) {
		out->replaced = 1;
		bpf_task_release(old);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
