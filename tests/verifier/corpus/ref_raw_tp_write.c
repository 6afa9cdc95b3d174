#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: a raw tracepoint's arguments are read-only.
SEC("raw_tp/sched_switch") int prog(struct bpf_raw_tracepoint_args *ctx) {
    ((volatile __u64 *)ctx->args)[0] = 0;
    return 0;
}
