// bootstrap.c -- an execsnoop-like process tracer in the style of libbpf-bootstrap's flagship
// `bootstrap` example: one event when a process execs, one when it exits, with how long it ran.
//
// Teaches: tracepoint programs (SEC("tp/<category>/<name>")) and their context, the
// tracepoint's record as the kernel writes it (see
// /sys/kernel/tracing/events/sched/sched_process_exec/format): a common header, then the
// fields, then variable-length data. A string field is a `__data_loc`: a u32 whose low 16 bits
// are the string's offset from the start of the record and whose high 16 bits its length, so
// the program reads it with bpf_probe_read_str(ctx + offset). Also: a HASH map keyed by pid
// that carries a timestamp from one program to the other, a RINGBUF of fixed-size events
// (reserve, fill, submit), a `const volatile` setting user space fills in before load
// (.rodata), and CO-RE reads of the current task_struct: its parent's tgid (two pointers
// deep) and its exit code.
//
// Try: run handle_exec with the sched_process_exec record preset (filename "/usr/bin/curl"),
// then handle_exit: two events in `rb`; the exit event's duration is the virtual time between
// the two runs. With min_duration_ns set (the .rodata map), exec events are not sent, and
// exits only for processes that lived long enough. No kernel case: BPF_PROG_TEST_RUN cannot
// run tracepoint programs.

#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 127

// What user space reads from the ring buffer (libbpf-bootstrap's bootstrap.h layout).
struct event {
	int pid;
	int ppid;
	unsigned exit_code;
	unsigned long long duration_ns;
	char comm[TASK_COMM_LEN];
	char filename[MAX_FILENAME_LEN];
	bool exit_event;
};

// The kernel's types, as much of them as we use; CO-RE finds the real offsets.
struct task_struct {
	int tgid;
	int exit_code;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

// The sched_process_exec record (vmlinux.h's trace_event_raw_sched_process_exec).
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};
struct trace_event_raw_sched_process_exec {
	struct trace_entry ent;
	unsigned int __data_loc_filename;
	int pid;
	int old_pid;
	char __data[];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, int);                  // pid
	__type(value, unsigned long long); // when it exec'd (bpf_ktime_get_ns)
} exec_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

// Set by user space before load: report only processes that ran at least this long.
const volatile unsigned long long min_duration_ns = 0;

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	unsigned long long ts = bpf_ktime_get_ns();
	struct task_struct *task;
	unsigned int fname_off;
	struct event *e;

	bpf_map_update_elem(&exec_start, &pid, &ts, BPF_ANY);
	if (min_duration_ns)
		return 0; // only exits are reported then

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 0; // the buffer is full: this event is lost

	task = (struct task_struct *)bpf_get_current_task();
	e->exit_event = false;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	// __data_loc: the filename lives in the record itself, at the offset in the low 16 bits.
	fname_off = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_str(&e->filename, sizeof(e->filename), (void *)ctx + fname_off);

	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	unsigned long long id = bpf_get_current_pid_tgid();
	unsigned long long *start_ts, duration_ns = 0;
	int pid = id >> 32, tid = (unsigned int)id;
	struct task_struct *task;
	struct event *e;

	if (pid != tid)
		return 0; // a thread exits, not the process

	start_ts = bpf_map_lookup_elem(&exec_start, &pid);
	if (start_ts)
		duration_ns = bpf_ktime_get_ns() - *start_ts;
	else if (min_duration_ns)
		return 0; // we did not see it start: its age is unknown
	bpf_map_delete_elem(&exec_start, &pid);

	if (min_duration_ns && duration_ns < min_duration_ns)
		return 0;

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 0;

	task = (struct task_struct *)bpf_get_current_task();
	e->exit_event = true;
	e->duration_ns = duration_ns;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	// exit_code is the wait status: the exit(n) value sits in bits 8-15.
	e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));

	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
