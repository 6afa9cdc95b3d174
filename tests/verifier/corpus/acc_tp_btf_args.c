#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
//              unsigned int prev_state): four u64 slots (btf_ctx_access).
// Accepted: an int slot reads in any width, a task pointer whole; the pointer may be moved
// and handed to bpf_probe_read_kernel as an address.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) {
    __u32 state = *(volatile __u32 *)&ctx[3];
    void *prev = (void *)((volatile __u64 *)ctx)[1];
    long v = 0;
    bpf_probe_read_kernel(&v, sizeof(v), prev + 16);
    return (v + state) & 0;
}
