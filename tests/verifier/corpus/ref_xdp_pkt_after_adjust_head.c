#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: bpf_xdp_adjust_head moves the packet; a packet pointer read before it is gone.
SEC("xdp") int prog(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_PASS;
    bpf_xdp_adjust_head(ctx, 0);
    return *(volatile __u8 *)data;
}
