#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
// Refused: bpf_task_from_pid is in the generic kfunc set, which socket filters do not have
// ("calling kernel function bpf_task_from_pid is not allowed").
SEC("socket") int prog(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(1);
	if (t)
		bpf_task_release(t);
	return 0;
}
