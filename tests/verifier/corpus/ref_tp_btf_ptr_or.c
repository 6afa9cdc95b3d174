#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots (btf_ctx_access).
// Refused: a kernel object pointer takes no bitwise operations.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    __u64 p = ((volatile __u64 *)ctx)[1];
    asm volatile("%0 |= 1" : "+r"(p));
    return p != 0;
}
