#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a raw tracepoint reads u64 args[12] (MAX_BPF_FUNC_ARGS), any aligned width, whatever
// the tracepoint's real argument count.
SEC("raw_tp/sched_switch") int prog(struct bpf_raw_tracepoint_args *ctx) {
    __u64 a = ((volatile __u64 *)ctx->args)[1];
    __u32 b = *(volatile __u32 *)((void *)ctx + 92);
    return (a + b) != 0;
}
