// Lesson 11 (solution): every step of BPF_CORE_READ is a relocated offset and a
// bpf_probe_read_kernel; the same object runs on kernels whose task_struct differs.
#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);    // tgid
	__type(value, __u32);  // its parent's tgid
} parents SEC(".maps");

SEC("kprobe/do_sys_openat2")
int lesson11(struct pt_regs *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u32 ppid = BPF_CORE_READ(task, real_parent, tgid);
	char comm[16];

	BPF_CORE_READ_STR_INTO(&comm, task, real_parent, comm);
	bpf_map_update_elem(&parents, &tgid, &ppid, BPF_ANY);
	bpf_printk("parent %s", comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
