#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: after bpf_xdp_adjust_head the packet pointers are read again and checked again.
SEC("xdp") int prog(struct xdp_md *ctx) {
    if (bpf_xdp_adjust_head(ctx, 0))
        return XDP_DROP;
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_PASS;
    return *(volatile __u8 *)data;
}
