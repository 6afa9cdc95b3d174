#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: in a writable raw tracepoint the slots after the buffer read like raw_tp's.
SEC("raw_tp.w/bpf_test_finish") int prog(struct bpf_raw_tracepoint_args *ctx) {
    return ((volatile __u64 *)ctx->args)[1] != 0;
}
