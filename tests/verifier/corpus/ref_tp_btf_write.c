#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots (btf_ctx_access).
// Refused: a tracing program's context is read-only.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    ((volatile __u64 *)ctx)[3] = 0;
    return 0;
}
