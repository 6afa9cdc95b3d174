#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "Proprietary";
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
// Refused: only GPL-compatible programs may call kfuncs.
// struct task_struct in Linux 6.18.44 x86-64: comm[16] at 1752.
SEC("tracepoint/syscalls/sys_enter_kill") int prog(__u64 *ctx) {
  char comm[16];
  struct task_struct *t = bpf_task_from_pid((__s32)ctx[2]);
  if (!t) return 0;
  bpf_probe_read_kernel(comm, sizeof(comm), (char *)t + 1752);
  bpf_task_release(t);
  return comm[0];
}
