#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: args[12] is past MAX_BPF_FUNC_ARGS u64 slots (bpf_tracing_ctx_access).
SEC("raw_tp/sched_switch") int prog(struct bpf_raw_tracepoint_args *ctx) {
    return ((volatile __u64 *)ctx->args)[12] != 0;
}
