#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
__attribute__((noinline)) int twice(int x) { return x * 2; }
// Accepted: a global function that does not move the packet leaves the caller's packet pointers valid.
SEC("xdp") int prog(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return 1;
    int n = twice(ctx->ingress_ifindex);
    return *(volatile __u8 *)data + n;
}
