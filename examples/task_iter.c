// task_iter.c -- a BPF iterator: a program the kernel runs once per task, whose output is a file.
//
// Teaches: SEC("iter/task") (BPF_PROG_TYPE_TRACING, attach type BPF_TRACE_ITER). Attached and
// pinned (`bpftool iter pin task_iter.o /sys/fs/bpf/tasks`), the iterator is a file: each
// read() runs the program once per task, with ctx->task pointing at that task_struct and
// ctx->meta->seq_num counting 0, 1, 2 ..., then once more with ctx->task == NULL (the end:
// a place for a footer). What the program writes with BPF_SEQ_PRINTF (bpf_seq_printf) or
// bpf_seq_write into ctx->meta->seq is what `cat /sys/fs/bpf/tasks` prints. Returning 0
// keeps going; returning 1 makes the read fail with EAGAIN.
//
// dump_task prints a header, one "pid tgid comm" line per task and a footer, like
// libbpf-bootstrap's task_iter; dump_task_raw writes each task as a binary struct with
// bpf_seq_write, as a reader that parses records would want it; dump_task_btf prints a kernel
// struct of each task in the kernel's own typed format (bpf_seq_printf_btf). No vmlinux.h: the kernel's
// structs are declared with only the fields used, and CO-RE relocates them (see task_core.c).
//
// Try: `bpfvm run public/examples/task_iter.o` prints each iterator's output (text, and hex
// for the raw one) over the emulated host's tasks: pid 1 "systemd" and the current task (the
// host settings' pid and comm); init_task (pid 0) is not a visited task, as in the kernel.
// The kernel cannot test-run iterators (BPF_PROG_TEST_RUN), it only loads them.

#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

// The context of iter/task: the kernel's struct bpf_iter__task.
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) {
		// The final call: seq_num is still the last task's number, not a count.
		BPF_SEQ_PRINTF(seq, "-- end (last seq_num %llu)\n", ctx->meta->seq_num);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%8s %8s %s\n", "pid", "tgid", "comm");
	BPF_SEQ_PRINTF(seq, "%8d %8d %s\n", task->pid, task->tgid, task->comm);
	return 0;
}

// One record per task, as user space would read() and parse it.
struct task_record {
	__u32 pid;
	__u32 tgid;
	char comm[16];
};

SEC("iter/task")
int dump_task_raw(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct task_record rec = {};

	if (!task)
		return 0;
	rec.pid = task->pid;
	rec.tgid = task->tgid;
	__builtin_memcpy(rec.comm, task->comm, sizeof(rec.comm));
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}

// The kernel's own typed print (bpf_seq_printf_btf): each task's first struct upid (its pid
// number in the initial namespace, and that namespace), read from the task's struct pid by
// the kernel, printed on one line (BTF_F_COMPACT) with the pointer as it is (BTF_F_PTR_RAW;
// without it the kernel prints a per-boot hash of every pointer).
struct upid {
	int nr;
} __attribute__((preserve_access_index));
struct pid {
	struct upid numbers[1];
} __attribute__((preserve_access_index));
struct task_struct___with_pid {
	struct pid *thread_pid;
} __attribute__((preserve_access_index));

SEC("iter/task")
int dump_task_btf(struct bpf_iter__task *ctx)
{
	struct task_struct___with_pid *task = (void *)ctx->task;
	struct btf_ptr p = {};

	if (!task)
		return 0;
	p.ptr = &task->thread_pid->numbers[0];
	p.type_id = bpf_core_type_id_kernel(struct upid);
	bpf_seq_printf_btf(ctx->meta->seq, &p, sizeof(p), BTF_F_COMPACT | BTF_F_PTR_RAW);
	BPF_SEQ_PRINTF(ctx->meta->seq, "\n");
	return 0;
}

char LICENSE[] SEC("license") = "GPL"; // bpf_seq_printf and bpf_seq_write are GPL-only
