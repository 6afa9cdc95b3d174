// Lesson 6: tracing. A kprobe runs when a kernel function is called, here do_sys_openat2 (every
// open() of a file). Its context is struct pt_regs, the CPU's registers at the call; it returns
// 0 and its results go into maps. bpf_get_current_pid_tgid() says who called: the process id
// (tgid) in the upper 32 bits, the thread id in the lower.
// Task: count the opens of each process in map "opens", keyed by tgid.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);    // tgid
	__type(value, __u64);  // opens
} opens SEC(".maps");

SEC("kprobe/do_sys_openat2")
int lesson6(struct pt_regs *ctx)
{
	// __u32 tgid = bpf_get_current_pid_tgid() >> 32;
	// then lookup-or-insert as in lesson 3
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
