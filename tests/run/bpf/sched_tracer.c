// Programs for tests/run/scenario_test.cpp: a runqslower / offcputime-style scheduler tracer on
// BTF tracepoints (libbpf-tools' shape), plus the sched_switch and sched_wakeup tracepoints'
// records. sched_wakeup and sched_wakeup_new note when a task became runnable; at sched_switch
// a preempted prev is runnable again at once, prev leaves the CPU now, and next's time on the run
// queue and time off the CPU are sent as one event. The kernel cannot test-run these programs,
// so the expected values come from the emulated host's scenario.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/sched_tracer.c -o tests/run/bpf/sched_tracer.o

#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define TASK_RUNNING 0

struct task_struct {
	int pid;
	int tgid;
	unsigned int __state;
	char comm[TASK_COMM_LEN];
} __attribute__((preserve_access_index));

// What user space reads at each switch.
struct switch_event {
	unsigned int prev_pid, next_pid;
	unsigned int prev_state;  // prev->__state
	unsigned int preempt;
	unsigned long long runq_ns;    // next's wait on the run queue; 0 if unseen
	unsigned long long offcpu_ns;  // how long next was off the CPU; 0 if unseen
	char prev_comm[TASK_COMM_LEN];
	char next_comm[TASK_COMM_LEN];
};

// The records' fields (/sys/kernel/tracing/events/sched/{sched_switch,sched_wakeup}/format).
struct entry {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
};
struct sched_switch_record {
	struct entry ent;
	char prev_comm[TASK_COMM_LEN];
	int prev_pid;
	int prev_prio;
	long prev_state;
	char next_comm[TASK_COMM_LEN];
	int next_pid;
	int next_prio;
};
struct sched_wakeup_record {
	struct entry ent;
	char comm[TASK_COMM_LEN];
	int pid;
	int prio;
	int target_cpu;
};

// A record as the tracepoint programs saw it: kind 1 sched_switch, 2 sched_wakeup.
struct record_event {
	int kind;
	int common_pid;
	int pid_a, prio_a;  // prev_pid, prev_prio / pid, prio
	int pid_b, prio_b;  // next_pid, next_prio / target_cpu, 0
	long state;         // prev_state
	char comm_a[TASK_COMM_LEN];  // prev_comm / comm
	char comm_b[TASK_COMM_LEN];  // next_comm / ""
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, unsigned int);              // pid
	__type(value, unsigned long long);      // when it became runnable
} enqueued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, unsigned int);              // pid
	__type(value, unsigned long long);      // when it left the CPU
} offcpu_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} switches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} records SEC(".maps");

static void note_runnable(unsigned int pid)
{
	unsigned long long now = bpf_ktime_get_ns();

	bpf_map_update_elem(&enqueued, &pid, &now, BPF_ANY);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(handle_wakeup, struct task_struct *p)
{
	note_runnable(p->pid);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handle_wakeup_new, struct task_struct *p)
{
	note_runnable(p->pid);
	return 0;
}

// How long ago the map's entry for pid was stamped (and the entry goes), 0 without one.
static unsigned long long since(void *map, unsigned int pid, unsigned long long now)
{
	unsigned long long *ts = bpf_map_lookup_elem(map, &pid);
	unsigned long long delta;

	if (!ts)
		return 0;
	delta = now - *ts;
	bpf_map_delete_elem(map, &pid);
	return delta;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	unsigned long long now = bpf_ktime_get_ns();
	unsigned int prev_pid = prev->pid, next_pid = next->pid;
	unsigned int state = BPF_CORE_READ(prev, __state);
	struct switch_event *e;

	if (state == TASK_RUNNING)
		note_runnable(prev_pid);  // preempted: back on the run queue
	bpf_map_update_elem(&offcpu_start, &prev_pid, &now, BPF_ANY);

	e = bpf_ringbuf_reserve(&switches, sizeof(*e), 0);
	if (!e)
		return 0;
	e->prev_pid = prev_pid;
	e->next_pid = next_pid;
	e->prev_state = state;
	e->preempt = preempt;
	e->runq_ns = since(&enqueued, next_pid, now);
	e->offcpu_ns = since(&offcpu_start, next_pid, now);
	BPF_CORE_READ_STR_INTO(&e->prev_comm, prev, comm);
	BPF_CORE_READ_STR_INTO(&e->next_comm, next, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sched/sched_switch")
int switch_record(struct sched_switch_record *ctx)
{
	struct record_event *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);

	if (!r)
		return 0;
	r->kind = 1;
	r->common_pid = ctx->ent.common_pid;
	r->pid_a = ctx->prev_pid;
	r->prio_a = ctx->prev_prio;
	r->pid_b = ctx->next_pid;
	r->prio_b = ctx->next_prio;
	r->state = ctx->prev_state;
	__builtin_memcpy(r->comm_a, ctx->prev_comm, TASK_COMM_LEN);
	__builtin_memcpy(r->comm_b, ctx->next_comm, TASK_COMM_LEN);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("tp/sched/sched_wakeup")
int wakeup_record(struct sched_wakeup_record *ctx)
{
	struct record_event *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);

	if (!r)
		return 0;
	r->kind = 2;
	r->common_pid = ctx->ent.common_pid;
	r->pid_a = ctx->pid;
	r->prio_a = ctx->prio;
	r->pid_b = ctx->target_cpu;
	r->prio_b = 0;
	r->state = 0;
	__builtin_memcpy(r->comm_a, ctx->comm, TASK_COMM_LEN);
	__builtin_memset(r->comm_b, 0, TASK_COMM_LEN);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
