// Programs for tests/run/iter_test.cpp: the iter/task_file, iter/task_vma and iter/tcp targets
// over the emulated host (core/run/iter_run.cpp), each printing one line per element as
// bpftool-style dumpers do, through CO-RE reads of the kernel's structs. The kernel can run
// iterators only over its own tasks and sockets, so the expected lines come from the host.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/iter_targets.c -o tests/run/bpf/iter_targets.o

#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct qstr {
	const unsigned char *name;
} __attribute__((preserve_access_index));
struct inode {
	unsigned long i_ino;
} __attribute__((preserve_access_index));
struct dentry {
	struct qstr d_name;
	struct inode *d_inode;
} __attribute__((preserve_access_index));
struct path {
	struct dentry *dentry;
} __attribute__((preserve_access_index));
struct file {
	struct path f_path;
	void *private_data;
} __attribute__((preserve_access_index));
struct mm_struct;
struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct file *vm_file;
} __attribute__((preserve_access_index));
struct sock_common {
	unsigned int skc_rcv_saddr;
	unsigned short skc_num;
	unsigned short skc_dport;
	unsigned short skc_family;
	volatile unsigned char skc_state;
} __attribute__((preserve_access_index));

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __attribute__((preserve_access_index));
struct bpf_iter__task_vma {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	struct vm_area_struct *vma;
} __attribute__((preserve_access_index));
struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
	__u32 uid;
} __attribute__((preserve_access_index));

// "pid fd name ino": a socket's file has no dentry name of its own here, so it prints its
// private_data (the struct socket) as a sign it is one.
SEC("iter/task_file")
int dump_files(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file) {
		BPF_SEQ_PRINTF(seq, "-- last seq_num %llu\n", ctx->meta->seq_num);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "pid fd name\n");
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (name)
		BPF_SEQ_PRINTF(seq, "%d %u %s ino %lu\n", task->pid, ctx->fd, name,
			       BPF_CORE_READ(file, f_path.dentry, d_inode, i_ino));
	else
		BPF_SEQ_PRINTF(seq, "%d %u socket %d\n", task->pid, ctx->fd, file->private_data != 0);
	return 0;
}

SEC("iter/task_vma")
int dump_vmas(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct vm_area_struct *vma = ctx->vma;
	if (!vma) {
		BPF_SEQ_PRINTF(seq, "-- end\n");
		return 0;
	}
	const unsigned char *name = BPF_CORE_READ(vma, vm_file, f_path.dentry, d_name.name);
	BPF_SEQ_PRINTF(seq, "%d %lx-%lx %s\n", ctx->task->pid, vma->vm_start, vma->vm_end, name ? (char *)name : "");
	return 0;
}

// The selftests' bpf_iter_tcp4.c in short: a header at seq_num 0, then family, local port,
// remote port (network order in the kernel), state and owner.
SEC("iter/tcp")
int dump_tcp(struct bpf_iter__tcp *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct sock_common *sk = ctx->sk_common;
	if (!sk) {
		BPF_SEQ_PRINTF(seq, "-- end %lld\n", (long long)ctx->meta->seq_num);
		return 0;
	}
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "family local remote state uid\n");
	BPF_SEQ_PRINTF(seq, "%u %u %u %u %u\n", sk->skc_family, sk->skc_num, bpf_ntohs(sk->skc_dport),
		       sk->skc_state, ctx->uid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
