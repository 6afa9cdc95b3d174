#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: every specifier is one bpf_bprintf_prepare knows, one u64 each, four for four (%% takes none).
static const char fmt[] = "%%%-08lu %pI4 %pi6 %ps";
SEC("xdp") int prog(struct xdp_md *ctx) {
    char out[32];
    __u64 args[4] = {ctx->data, ctx->data_end, 3, 4};
    return bpf_snprintf(out, sizeof(out), fmt, args, 32) > 0 ? XDP_PASS : XDP_DROP;
}
