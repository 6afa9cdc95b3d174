#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, ...): prev is a kernel object pointer.
// struct task_struct in Linux 6.18.44 x86-64 (its BTF): pid at 1264, tgid at 1268, comm[16]
// at 1752, 3264 bytes in all.
// Refused: a load past the end of struct task_struct.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    void *prev = (void *)((volatile __u64 *)ctx)[1];
    return *(volatile __u64 *)(prev + 3264) != 0;
}
