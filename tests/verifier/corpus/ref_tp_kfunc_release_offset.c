#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
// Refused: the pointer released is not the one acquired (it was moved).
SEC("tracepoint/syscalls/sys_enter_kill") int prog(__u64 *ctx) {
  struct task_struct *t = bpf_task_from_pid((__s32)ctx[2]);
  if (!t) return 0;
  bpf_task_release((struct task_struct *)((char *)t + 8));
  return 0;
}
