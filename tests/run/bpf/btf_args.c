// Programs for tests/run/btf_args_context_test.cpp: each reads its context by argument name with
// BPF_PROG (bpf_tracing.h: ctx[i] is the i-th u64 slot) and follows BTF pointers with CO-RE.
// The reference kernel cannot test-run fentry, lsm or tp_btf programs on chosen arguments, so
// the expected values come from the emulated host (core/host/kernel_objects.hpp).
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/btf_args.c -o tests/run/bpf/btf_args.o

#define __TARGET_ARCH_x86
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

// Our own partial views of the kernel's structs: CO-RE relocates each field to 6.18's offset.
struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct filename {
	const char *name;
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
} __attribute__((preserve_access_index));

// dfd plus the first byte of the name's string (a struct filename * argument).
SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	char c = 0;

	bpf_probe_read_kernel(&c, 1, BPF_CORE_READ(name, name));
	return dfd * 1000 + c;
}

// The return value after the four arguments.
SEC("fexit/vfs_read")
long BPF_PROG(read_exit, struct file *file, char *buf, unsigned long count, long long *pos, long ret)
{
	return ret + count;
}

// prev's pid through a struct task_struct * (a BTF pointer read directly), next's with BPF_CORE_READ.
SEC("tp_btf/sched_switch")
int BPF_PROG(switch_pids, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return prev->pid * 10 + preempt + (BPF_CORE_READ(next, tgid) == prev->tgid ? 100000 : 0);
}

// The file's name (its dentry's first byte) and the hook's return value so far.
SEC("lsm/file_open")
int BPF_PROG(open_check, struct file *file, int ret)
{
	if (ret)
		return ret;
	return file->f_path.dentry->d_name.name[0];
}

char LICENSE[] SEC("license") = "GPL";
