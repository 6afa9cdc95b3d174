#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots after the prototype's void *__data.
// Refused: ctx[5], two past the end: btf_ctx_arg_idx counts __data and gives one index past
// the prototype's five parameters, so the kernel names the 7th argument.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    return ((volatile __u64 *)ctx)[5] != 0;
}
