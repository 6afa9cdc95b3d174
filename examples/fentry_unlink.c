// fentry_unlink.c -- libbpf-bootstrap's `fentry` example: who removes which file, traced on the
// way into and out of the kernel function that does it.
//
// Teaches: fentry and fexit programs (SEC("fentry/<function>"), SEC("fexit/<function>")). They
// attach through a BPF trampoline to a kernel function named by its BTF, and their context is
// that function's arguments, one u64 each: BPF_PROG(name, args...) from bpf_tracing.h unpacks
// them by position into typed parameters, so `name` below is the `struct filename *` that
// do_unlinkat(int dfd, struct filename *name) received. A pointer argument is a BTF pointer:
// the program reads name->name directly, no bpf_probe_read needed. fexit runs when the function
// returns and sees its return value after the arguments (ctx[2] here: `long ret`).
//
// Try: run unlink_entry, then unlink_exit. The context shows do_unlinkat's arguments by name:
// dfd 0 and name pointing at the emulated kernel's struct filename for "/tmp/test_file"; the
// printk lines are what libbpf-bootstrap's `sudo cat /sys/kernel/tracing/trace_pipe` shows after
// `rm /tmp/test_file`. Set ret to -2 (-ENOENT: no such file) and run unlink_exit again; set name
// to 0: the exception table makes name->name read as NULL, and %s of NULL prints nothing.
// `bpfvm run fentry_unlink.o --program unlink_exit --arg ret=-2` does the same. No kernel case:
// BPF_PROG_TEST_RUN cannot run fentry programs on chosen arguments.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

// The kernel's struct, as much of it as we use; CO-RE finds the real offset.
struct filename {
	const char *name;
} __attribute__((preserve_access_index));

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("fentry: pid = %d, filename = %s\n", pid, name->name);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, long ret)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("fexit: pid = %d, filename = %s, ret = %ld\n", pid, name->name, ret);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
