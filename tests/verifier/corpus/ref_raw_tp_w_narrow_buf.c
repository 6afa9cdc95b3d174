#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: in a writable raw tracepoint args[0] is the tracepoint's buffer, read only as a
// whole u64 (raw_tp_writable_prog_is_valid_access).
SEC("raw_tp.w/bpf_test_finish") int prog(struct bpf_raw_tracepoint_args *ctx) {
    return *(volatile __u32 *)ctx != 0;
}
