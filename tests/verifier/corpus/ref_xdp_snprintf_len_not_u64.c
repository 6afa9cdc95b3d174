#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused at load: data_len must be a multiple of 8 (an array of u64); the kernel says nothing more.
static const char fmt[] = "%d";
SEC("xdp") int prog(struct xdp_md *ctx) {
    char out[32];
    __u64 args[4] = {ctx->data, ctx->data_end, 3, 4};
    return bpf_snprintf(out, sizeof(out), fmt, args, 12) > 0 ? XDP_PASS : XDP_DROP;
}
