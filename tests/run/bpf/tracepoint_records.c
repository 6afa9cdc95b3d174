// Programs for tests/run/tracepoint_record_test.cpp: each reads a tracepoint record the way
// libbpf programs do, through its own struct laid out as the event's format
// (/sys/kernel/tracing/events/<system>/<event>/format). None of these events' trace_event_raw_*
// structs is in the built-in BTF: the record comes from the tracefs table alone. The kernel
// cannot test-run tracepoint programs, so the expected values come from the emulated host.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/tracepoint_records.c -o tests/run/bpf/tracepoint_records.o

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// The 8-byte header of every record (struct trace_entry).
struct entry {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
};

// libbpf's usual view of a syscalls:sys_enter_<call> record (struct trace_event_raw_sys_enter):
// its __syscall_nr (int, 4 bytes of padding after it) read as a long id, the arguments as args[].
struct sys_enter_view {
	struct entry ent;
	long id;
	unsigned long args[6];
};

// id * 100000 + the low 16 bits of the path pointer, and the path printed from user memory.
SEC("tracepoint/syscalls/sys_enter_openat")
int openat_args(struct sys_enter_view *ctx)
{
	char path[32];

	if (bpf_probe_read_user_str(path, sizeof(path), (const void *)ctx->args[1]) > 0)
		bpf_printk("openat %s dfd %d", path, (int)ctx->args[0]);
	return ctx->id * 100000 + (ctx->args[1] & 0xffff);
}

// args[5] is past sys_enter_openat's 48-byte record (four arguments): the kernel's checker
// allows it (the perf buffer goes on), bpfplay faults and says why.
SEC("tracepoint/syscalls/sys_enter_openat")
int past_record(struct sys_enter_view *ctx)
{
	return ctx->args[5];
}

struct sched_switch_view {
	struct entry ent;
	char prev_comm[16];
	int prev_pid;
	int prev_prio;
	long prev_state;
	char next_comm[16];
	int next_pid;
	int next_prio;
};

// prev_pid * 1000 + next_comm[0] + next_prio.
SEC("tp/sched/sched_switch")
int switch_pids(struct sched_switch_view *ctx)
{
	return ctx->prev_pid * 1000 + ctx->next_comm[0] + ctx->next_prio;
}

struct irq_handler_entry_view {
	struct entry ent;
	int irq;
	unsigned int __data_loc_name;  // (length << 16) | offset of the handler's name
};

// irq * 10000 + the name's length * 100 + its first byte; the name printed.
SEC("tracepoint/irq/irq_handler_entry")
int irq_entry(struct irq_handler_entry_view *ctx)
{
	unsigned int loc = ctx->__data_loc_name;
	char name[16] = {};

	bpf_probe_read_kernel_str(name, sizeof(name), (void *)ctx + (loc & 0xffff));
	bpf_printk("irq %d handler %s", ctx->irq, name);
	return ctx->irq * 10000 + (loc >> 16) * 100 + name[0];
}

struct sched_process_exec_view {
	struct entry ent;
	unsigned int __data_loc_filename;
	int pid;
	int old_pid;
};

// The executable's path through __data_loc (bootstrap.c's read); returns the path's length.
SEC("tp/sched/sched_process_exec")
int exec_filename(struct sched_process_exec_view *ctx)
{
	char filename[64];
	unsigned int loc = ctx->__data_loc_filename;

	bpf_probe_read_kernel_str(filename, sizeof(filename), (void *)ctx + (loc & 0xffff));
	bpf_printk("exec %s pid %d old %d", filename, ctx->pid, ctx->old_pid);
	return loc >> 16;
}

struct block_rq_issue_view {
	struct entry ent;
	unsigned int dev;
	unsigned long long sector;
	unsigned int nr_sector;
	unsigned int bytes;
	unsigned short ioprio;
	char rwbs[10];
	char comm[16];
	unsigned int __data_loc_cmd;
};

// comm[0], the sector's low 16 bits, the cmd's length: comm[0] << 24 | sector << 8 | length.
SEC("tracepoint/block/block_rq_issue")
int rq_issue(struct block_rq_issue_view *ctx)
{
	return (ctx->comm[0] << 24) | ((ctx->sector & 0xffff) << 8) | (ctx->__data_loc_cmd >> 16);
}

// An event no kernel has.
SEC("tracepoint/sched/sched_no_such_event")
int no_event(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
