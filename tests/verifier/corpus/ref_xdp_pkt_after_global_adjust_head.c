#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
__attribute__((noinline)) int grow(struct xdp_md *ctx) { return bpf_xdp_adjust_head(ctx, 0); }
// Refused: the global function grow() moves the packet (bpf_xdp_adjust_head), so the caller's packet pointers are gone after calling it.
SEC("xdp") int prog(struct xdp_md *ctx) { void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
 if (data + 4 > end) return 1; grow(ctx); return *(volatile __u8 *)data; }
