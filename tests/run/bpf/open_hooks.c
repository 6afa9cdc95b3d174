// Programs for tests/run/scenario_test.cpp: one program on each hook a scenario's open event
// runs (core/run/scenario.hpp), each sending what its context says of the call -- the
// arguments, the path they point at, the result -- as one record, so the test sees every
// context's values and the order the hooks ran in.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/open_hooks.c -o tests/run/bpf/open_hooks.o

#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>  // the UAPI struct pt_regs (rdi, rsi ...): a kprobe's context
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

// The kernel's types, as much of them as the programs read; CO-RE finds the real offsets. The
// kernel's struct pt_regs names its registers di, si ...; "___kernel" keeps it apart from the
// UAPI one, and CO-RE drops the suffix when it matches it against the kernel's BTF.
struct pt_regs___kernel {
	unsigned long dx, si, di, orig_ax, ax, r10;
} __attribute__((preserve_access_index));
struct open_how {
	unsigned long long flags, mode, resolve;
} __attribute__((preserve_access_index));
struct qstr {
	const unsigned char *name;
} __attribute__((preserve_access_index));
struct dentry {
	struct qstr d_name;
} __attribute__((preserve_access_index));
struct path {
	struct dentry *dentry;
} __attribute__((preserve_access_index));
struct file {
	struct path f_path;
	unsigned int f_flags;
} __attribute__((preserve_access_index));

struct entry {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
};
struct raw_sys_enter {
	struct entry ent;
	long id;
	unsigned long args[6];
};
struct raw_sys_exit {
	struct entry ent;
	long id;
	long ret;
};

enum hook {
	RAW_TP_SYS_ENTER = 1,   // tp/raw_syscalls/sys_enter
	BTF_SYS_ENTER,          // tp_btf/sys_enter
	KPROBE_OPENAT2,         // kprobe/do_sys_openat2
	FENTRY_OPENAT2,         // fentry/do_sys_openat2
	FENTRY_VFS_OPEN,        // fentry/vfs_open
	KRETPROBE_OPENAT2,      // kretprobe/do_sys_openat2
	FEXIT_OPENAT2,          // fexit/do_sys_openat2
	RAW_TP_SYS_EXIT,        // tp/raw_syscalls/sys_exit
	BTF_SYS_EXIT,           // tp_btf/sys_exit
};

// One hook's view of the call.
struct seen {
	int hook;
	int pid;
	long nr;      // the syscall number, where the context has it
	long dfd;
	long flags;
	long mode;
	long ret;
	char path[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} seen SEC(".maps");

static struct seen *start(int hook)
{
	struct seen *s = bpf_ringbuf_reserve(&seen, sizeof(*s), 0);

	if (s) {
		__builtin_memset(s, 0, sizeof(*s));
		s->hook = hook;
		s->pid = bpf_get_current_pid_tgid() >> 32;
	}
	return s;
}

SEC("tp/raw_syscalls/sys_enter")
int raw_enter(struct raw_sys_enter *ctx)
{
	struct seen *s = start(RAW_TP_SYS_ENTER);

	if (!s)
		return 0;
	s->nr = ctx->id;
	s->dfd = (int)ctx->args[0];
	s->flags = ctx->args[2];
	s->mode = ctx->args[3];
	bpf_probe_read_user_str(s->path, sizeof(s->path), (const void *)ctx->args[1]);
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_enter, struct pt_regs___kernel *regs, long id)
{
	struct seen *s = start(BTF_SYS_ENTER);

	if (!s)
		return 0;
	s->nr = id;
	s->dfd = (int)BPF_CORE_READ(regs, di);
	s->flags = BPF_CORE_READ(regs, dx);
	s->mode = BPF_CORE_READ(regs, r10);  // the 4th syscall argument: r10, not rcx
	s->ret = BPF_CORE_READ(regs, orig_ax);
	bpf_probe_read_user_str(s->path, sizeof(s->path), (const void *)BPF_CORE_READ(regs, si));
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("kprobe/do_sys_openat2")
int kprobe_openat2(struct pt_regs *ctx)
{
	struct seen *s = start(KPROBE_OPENAT2);
	struct open_how *how = (struct open_how *)PT_REGS_PARM3(ctx);

	if (!s)
		return 0;
	s->dfd = (int)PT_REGS_PARM1(ctx);
	s->flags = BPF_CORE_READ(how, flags);
	s->mode = BPF_CORE_READ(how, mode);
	bpf_probe_read_user_str(s->path, sizeof(s->path), (const void *)PT_REGS_PARM2(ctx));
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("fentry/do_sys_openat2")
int BPF_PROG(fentry_openat2, int dfd, const char *filename, struct open_how *how)
{
	struct seen *s = start(FENTRY_OPENAT2);

	if (!s)
		return 0;
	s->dfd = dfd;
	s->flags = how->flags;
	s->mode = how->mode;
	bpf_probe_read_user_str(s->path, sizeof(s->path), filename);
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("fentry/vfs_open")
int BPF_PROG(fentry_vfs_open, const struct path *path, struct file *file)
{
	struct seen *s = start(FENTRY_VFS_OPEN);

	if (!s)
		return 0;
	s->flags = file->f_flags;
	bpf_probe_read_kernel_str(s->path, sizeof(s->path), BPF_CORE_READ(path, dentry, d_name.name));
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("kretprobe/do_sys_openat2")
int kretprobe_openat2(struct pt_regs *ctx)
{
	struct seen *s = start(KRETPROBE_OPENAT2);

	if (!s)
		return 0;
	s->ret = PT_REGS_RC(ctx);
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("fexit/do_sys_openat2")
int BPF_PROG(fexit_openat2, int dfd, const char *filename, struct open_how *how, long ret)
{
	struct seen *s = start(FEXIT_OPENAT2);

	if (!s)
		return 0;
	s->dfd = dfd;
	s->flags = how->flags;
	s->ret = ret;
	bpf_probe_read_user_str(s->path, sizeof(s->path), filename);
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int raw_exit(struct raw_sys_exit *ctx)
{
	struct seen *s = start(RAW_TP_SYS_EXIT);

	if (!s)
		return 0;
	s->nr = ctx->id;
	s->ret = ctx->ret;
	bpf_ringbuf_submit(s, 0);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit, struct pt_regs___kernel *regs, long ret)
{
	struct seen *s = start(BTF_SYS_EXIT);

	if (!s)
		return 0;
	s->nr = BPF_CORE_READ(regs, orig_ax);
	s->mode = BPF_CORE_READ(regs, ax);  // rax: what the call returned, as ret
	s->ret = ret;
	bpf_ringbuf_submit(s, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
