#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots (btf_ctx_access).
// Refused: ctx[4] is past the tracepoint's four arguments.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    return ((volatile __u64 *)ctx)[4] != 0;
}
