#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, ...): prev is a kernel object pointer.
// struct task_struct in Linux 6.18.44 x86-64 (its BTF): pid at 1264, tgid at 1268, comm[16]
// at 1752, 3264 bytes in all.
// Accepted: loads through it that fall inside an integer field, or inside an array of them
// (btf_struct_walk), read numbers.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    void *prev = (void *)((volatile __u64 *)ctx)[1];
    __u32 pid = *(volatile __u32 *)(prev + 1264);
    __u8 c = *(volatile __u8 *)(prev + 1752 + 3);
    __u16 half = *(volatile __u16 *)(prev + 1270);  // the upper half of tgid
    return (pid + c + half) & 0;
}
