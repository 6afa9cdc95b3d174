#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; } __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
typedef struct task_struct task_t;
struct stash { task_t __kptr *task; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct stash); } tasks SEC(".maps");
// Refused: the old value bpf_kptr_xchg hands back is a reference the program must release.
SEC("syscall") int prog(void *ctx) {
    __u32 z = 0;
    struct stash *v = bpf_map_lookup_elem(&tasks, &z);
    if (!v)
        return 0;
    struct task_struct *t = bpf_task_from_pid(1), *old;
    if (!t)
        return 0;
    old = bpf_kptr_xchg(&v->task, t);
    return old ? old->pid : 0;
}
