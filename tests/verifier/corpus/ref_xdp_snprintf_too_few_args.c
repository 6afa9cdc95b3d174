#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused at load: three specifiers, data_len gives two u64 arguments.
static const char fmt[] = "%d %d %d";
SEC("xdp") int prog(struct xdp_md *ctx) {
    char out[32];
    __u64 args[4] = {ctx->data, ctx->data_end, 3, 4};
    return bpf_snprintf(out, sizeof(out), fmt, args, 16) > 0 ? XDP_PASS : XDP_DROP;
}
