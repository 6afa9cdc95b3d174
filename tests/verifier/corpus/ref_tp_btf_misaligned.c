#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots (btf_ctx_access).
// Refused: the slots are u64; a read inside one is refused even when aligned to its size.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    return *(volatile __u32 *)((void *)ctx + 4) != 0;
}
