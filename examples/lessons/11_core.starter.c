// Lesson 11: CO-RE, reading kernel structs. struct task_struct differs between kernel versions
// and configurations: the offset of real_parent is not the same everywhere. Declare only the
// fields you read, mark the struct __attribute__((preserve_access_index)), and clang records
// each field access by name (a CO-RE relocation); the loader (libbpf, or bpfplay's) rewrites the
// offsets for the kernel the program runs on, from that kernel's BTF. BPF_CORE_READ(task,
// real_parent, tgid) follows the pointers with bpf_probe_read_kernel, each step relocated.
// Task: store the parent process's tgid in parents[tgid of the current process], and print
// "parent <its comm>" with bpf_printk.
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

	// __u32 tgid = BPF_CORE_READ(task, tgid);
	// __u32 ppid = BPF_CORE_READ(task, real_parent, tgid);
	// char comm[16]; BPF_CORE_READ_STR_INTO(&comm, task, real_parent, comm);
	// then bpf_map_update_elem(&parents, &tgid, &ppid, BPF_ANY) and bpf_printk("parent %s", comm)
	(void)task;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
