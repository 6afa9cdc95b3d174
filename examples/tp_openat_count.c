// tp_openat_count.c -- an opensnoop-style counter on two tracepoints: how many files each process
// opened, how many it created, how many opens failed, and the last path it asked for.
//
// Teaches: a tracepoint counter, the commonest tracing program there is. SEC("tp/syscalls/
// sys_enter_openat") runs when a task enters openat(2): its context is the tracepoint's record
// (see /sys/kernel/tracing/events/syscalls/sys_enter_openat/format), the 8-byte common header,
// then the syscall's number and its arguments as 8-byte fields. The path is a USER pointer: the
// program copies the string with bpf_probe_read_user_str, never dereferences it. sys_exit_openat
// runs when the call returns, with `ret` (an fd, or -errno). A HASH keyed by the process (tgid)
// carries the counters; the entry is created once with BPF_NOEXIST (two CPUs may race to create
// it: the loser's update fails with -EEXIST and it simply looks the entry up again) and the
// counters are bumped with atomic adds, because the same process may open files on several CPUs.
//
// Try: run count_enter three times (`--repeat 3`): `opens` holds the current process with
// calls = 3 and the default openat's path ("/etc/hostname"); give `--arg flags=0x241`
// (O_WRONLY|O_CREAT|O_TRUNC) and `creates` counts it; run count_exit with `--arg ret=-2`
// (-ENOENT) and `failures` counts it. No kernel case: BPF_PROG_TEST_RUN cannot run tracepoint
// programs (the kernel loads and verifies this one).

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define PATH_LEN 64
#define O_CREAT 0100 // octal, as in <fcntl.h>

// The records, as the format files give them (vmlinux.h's trace_event_raw_sys_enter is the same
// layout with args[6]; the per-syscall events name each argument).
struct sys_enter_openat_record {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
	int __syscall_nr;
	long dfd;
	const char *filename; // a user-space address
	long flags;
	long mode;
};

struct sys_exit_openat_record {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
	int __syscall_nr;
	long ret;
};

struct open_counts {
	unsigned long long calls;
	unsigned long long creates;
	unsigned long long failures;
	char comm[TASK_COMM_LEN];
	char last_path[PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); // tgid
	__type(value, struct open_counts);
} opens SEC(".maps");

static struct open_counts *counts_of_current(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct open_counts *c = bpf_map_lookup_elem(&opens, &tgid);
	if (c)
		return c;
	struct open_counts fresh = {};
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	bpf_map_update_elem(&opens, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&opens, &tgid);
}

SEC("tp/syscalls/sys_enter_openat")
int count_enter(struct sys_enter_openat_record *ctx)
{
	struct open_counts *c = counts_of_current();
	if (!c)
		return 0;
	__sync_fetch_and_add(&c->calls, 1);
	if (ctx->flags & O_CREAT)
		__sync_fetch_and_add(&c->creates, 1);
	bpf_probe_read_user_str(c->last_path, sizeof(c->last_path), ctx->filename);
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int count_exit(struct sys_exit_openat_record *ctx)
{
	if (ctx->ret >= 0)
		return 0;
	struct open_counts *c = counts_of_current();
	if (c)
		__sync_fetch_and_add(&c->failures, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
