#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: bytes past ASCII (UTF-8) pass bpf_bprintf_prepare on Linux 6.18; control characters do not.
static const char fmt[] = "caf\xc3\xa9 %d";
SEC("xdp") int prog(struct xdp_md *ctx) {
    char out[32];
    __u64 args[4] = {ctx->data, ctx->data_end, 3, 4};
    return bpf_snprintf(out, sizeof(out), fmt, args, 32) > 0 ? XDP_PASS : XDP_DROP;
}
