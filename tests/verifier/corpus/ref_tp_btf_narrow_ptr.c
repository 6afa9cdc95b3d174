#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots (btf_ctx_access).
// Refused: a pointer argument is read as a whole u64 only.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    return *(volatile __u32 *)&ctx[1] != 0;
}
