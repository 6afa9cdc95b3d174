// task_core.c -- who is running, and who started it: reading the kernel's task_struct with CO-RE.
//
// Teaches: bpf_get_current_task() (a pointer to the current `struct task_struct`, kernel
// memory the program may only read through helpers) and CO-RE ("compile once, run
// everywhere"). The struct below is our own, partial idea of task_struct: no vmlinux.h, only
// the fields we use, in any order, at any offsets. preserve_access_index makes clang record
// every access by field NAME (.BTF.ext core_relo records); the loader then rewrites each
// offset to where the running kernel's BTF puts that field. BPF_CORE_READ(t, real_parent, pid)
// is a chain of bpf_probe_read_kernel calls with relocated offsets. bpf_core_field_exists()
// asks whether the running kernel has a field at all -- here one that it lacks, so the code
// behind the check is left out at load time instead of breaking the load.
//
// Try: in the emulator, any pt_regs context; the printk lines show the emulated task
// (pid/tgid/comm from the host settings) and its parent, pid 1 "systemd". The kernel cannot
// test-run kprobes (BPF_PROG_TEST_RUN is not supported for them); it only loads this one.

#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

// Our view of the kernel's struct. The offsets clang computes from it do not matter: CO-RE
// relocates every access to the kernel's real layout.
struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	unsigned long long no_such_field; // no kernel has this: bpf_core_field_exists says 0
} __attribute__((preserve_access_index));

SEC("kprobe/do_sys_openat2")
int task_core(struct pt_regs *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	char comm[16];
	int pid = BPF_CORE_READ(task, pid);
	int tgid = BPF_CORE_READ(task, tgid);
	int ppid = BPF_CORE_READ(task, real_parent, pid);

	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	bpf_printk("task %s pid %d tgid %d", comm, pid, tgid);
	bpf_printk("parent pid %d", ppid);

	if (bpf_core_field_exists(task->no_such_field)) {
		// Never runs here: the loader replaced the check with 0. The read below could
		// not be relocated, so its instruction is poisoned -- harmless, as it cannot run.
		bpf_printk("no_such_field %llu", BPF_CORE_READ(task, no_such_field));
		return 2;
	}
	return ppid == 1; // 1: the parent is init
}

char LICENSE[] SEC("license") = "GPL"; // bpf_printk and probe_read need a GPL program
