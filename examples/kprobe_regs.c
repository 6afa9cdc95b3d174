// kprobe_regs.c -- who opens which file: a kprobe on the kernel function do_sys_openat2().
//
// Teaches: a tracing program. Its context is "struct pt_regs", the CPU registers at the probed
// function's entry; PT_REGS_PARM1/2 pick the first two arguments out of them (rdi, rsi on
// x86-64, hence __TARGET_ARCH_x86). Also the helpers tracing programs live on:
// bpf_get_current_pid_tgid, bpf_get_current_comm, bpf_ktime_get_ns, bpf_probe_read_user_str
// (the file name is user memory: never dereference it directly) and bpf_printk.
//
// Try: in the emulator, a pt_regs context whose rsi points at a string. The kernel cannot
// test-run kprobes (BPF_PROG_TEST_RUN is not supported for them); it only loads this one.

#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct open_event {
	__u64 when_ns;   // bpf_ktime_get_ns(): nanoseconds since boot
	__u32 tgid;      // what user space calls the process id
	__u32 pid;       // what user space calls the thread id
	__s32 dfd;       // first argument: the directory fd (AT_FDCWD = -100)
	__s32 name_len;  // bpf_probe_read_user_str's result: length with the NUL, or an error
	char comm[16];   // the task's name
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);                // tgid
	__type(value, struct open_event);  // the last open of that process
} last_open SEC(".maps");

SEC("kprobe/do_sys_openat2")
int trace_openat2(struct pt_regs *ctx)
{
	// long do_sys_openat2(int dfd, const char __user *filename, struct open_how *how)
	int dfd = (int)PT_REGS_PARM1(ctx);
	const char *filename = (const char *)PT_REGS_PARM2(ctx);
	__u64 pid_tgid = bpf_get_current_pid_tgid(); // tgid in the high 32 bits, pid in the low
	struct open_event ev = {};

	ev.when_ns = bpf_ktime_get_ns();
	ev.tgid = pid_tgid >> 32;
	ev.pid = (__u32)pid_tgid;
	ev.dfd = dfd;
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	ev.name_len = bpf_probe_read_user_str(ev.filename, sizeof(ev.filename), filename);

	// Appears in /sys/kernel/tracing/trace_pipe; at most 3 arguments per bpf_printk.
	bpf_printk("openat2 by %s: %s (dfd %d)", ev.comm, ev.filename, dfd);

	bpf_map_update_elem(&last_open, &ev.tgid, &ev, BPF_ANY);
	return 0; // the return value of a kprobe program is ignored
}

char LICENSE[] SEC("license") = "GPL"; // bpf_printk and probe_read need a GPL program
