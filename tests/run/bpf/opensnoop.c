// Programs for tests/run/scenario_test.cpp: libbpf-tools' opensnoop shape. The openat entry
// tracepoint stores the call's path pointer and flags in a hash map keyed by the thread's
// pid_tgid; the exit tracepoint finds them, reads the path from the task's user memory and
// sends one event with the call's result. The kernel cannot test-run tracepoint programs, so
// the expected values come from the emulated host's scenario.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/opensnoop.c -o tests/run/bpf/opensnoop.o

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define FNAME_LEN 64

// The 8-byte header of every record (struct trace_entry).
struct entry {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
};

// syscalls:sys_enter_<call> and sys_exit_<call> as libbpf programs read them (vmlinux.h's
// trace_event_raw_sys_enter / _sys_exit): __syscall_nr read as a long, then the arguments.
struct sys_enter_view {
	struct entry ent;
	long id;
	unsigned long args[6];
};
struct sys_exit_view {
	struct entry ent;
	long id;
	long ret;
};

struct args_t {
	const char *fname;
	int flags;
	int mode;
};

// What user space reads: one open, when it returned.
struct event {
	unsigned long long ts;
	int pid;  // the process (tgid)
	int tid;
	unsigned int uid;
	int ret;  // the fd, or -errno
	int flags;
	int mode;
	char comm[TASK_COMM_LEN];
	char fname[FNAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, unsigned long long);  // pid_tgid: one call in flight per thread
	__type(value, struct args_t);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_entry(struct sys_enter_view *ctx)
{
	unsigned long long id = bpf_get_current_pid_tgid();
	struct args_t args = {};

	// openat(int dfd, const char *filename, int flags, umode_t mode)
	args.fname = (const char *)ctx->args[1];
	args.flags = (int)ctx->args[2];
	args.mode = (int)ctx->args[3];
	bpf_map_update_elem(&start, &id, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct sys_exit_view *ctx)
{
	unsigned long long id = bpf_get_current_pid_tgid();
	struct args_t *ap;
	struct event *e;

	ap = bpf_map_lookup_elem(&start, &id);
	if (!ap)
		return 0;  // the entry was missed
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->ts = bpf_ktime_get_ns();
		e->pid = id >> 32;
		e->tid = (unsigned int)id;
		e->uid = (unsigned int)bpf_get_current_uid_gid();
		e->ret = (int)ctx->ret;
		e->flags = ap->flags;
		e->mode = ap->mode;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_probe_read_user_str(e->fname, sizeof(e->fname), ap->fname);
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&start, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
