// kprobe_stackcount.c -- which call paths reach a kernel function, and how often: bcc's
// stackcount (and the heart of profile and offcputime) in a few lines.
//
// Teaches: BPF_MAP_TYPE_STACK_TRACE and bpf_get_stackid. The helper walks the current task's
// stack -- the kernel stack by default, the user stack with BPF_F_USER_STACK -- stores the
// return addresses in the stack map and returns the stack's id (a hash bucket: the same stack
// always gets the same id). The program only counts ids; user space looks each id up in
// `stacks` and turns the addresses into function names. A negative id is an error: -EFAULT
// when there is no such stack (a kernel thread has no user stack), -EEXIST when another stack
// holds the bucket (BPF_F_REUSE_STACKID would replace it).
//
// Try: run it a few times (--repeat 3): one key, counted 3 times; look at `stacks` (the
// emulator names the frames). Change the host's kernel_stack or user_stack (--host) to see
// other ids. The kernel cannot test-run kprobes (BPF_PROG_TEST_RUN is not supported for
// them); it only loads this one.

#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define MAX_DEPTH 32  // frames kept per stack (the kernel keeps at most 127)

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));                 // the stack id
	__uint(value_size, MAX_DEPTH * sizeof(__u64));  // return addresses, innermost first
} stacks SEC(".maps");

struct stack_key {
	__u32 tgid;
	__s32 kernel_id;  // bpf_get_stackid's answer for the kernel stack
	__s32 user_id;    // ... and for the user stack
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct stack_key);
	__type(value, __u64);  // how many times this path was taken
} counts SEC(".maps");

SEC("kprobe/do_sys_openat2")
int count_stacks(struct pt_regs *ctx)
{
	struct stack_key key = {};
	__u64 one = 1, *n;

	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.kernel_id = bpf_get_stackid(ctx, &stacks, 0);
	key.user_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	bpf_get_current_comm(key.comm, sizeof(key.comm));

	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
