#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused at load: %s must be followed by a space, punctuation or the end.
static const char fmt[] = "name %sx";
SEC("xdp") int prog(struct xdp_md *ctx) {
    char out[32];
    __u64 args[4] = {ctx->data, ctx->data_end, 3, 4};
    return bpf_snprintf(out, sizeof(out), fmt, args, 32) > 0 ? XDP_PASS : XDP_DROP;
}
