#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: the bpf_xdp_pull_data kfunc may move the packet; the old pointer is gone.
extern int bpf_xdp_pull_data(struct xdp_md *x, __u32 len) __ksym;
SEC("xdp") int prog(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_PASS;
    bpf_xdp_pull_data(ctx, 64);
    return *(volatile __u8 *)data;
}
