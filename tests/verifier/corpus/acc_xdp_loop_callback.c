#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct flow { __u64 packets, bytes; };
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, struct flow);
} flows SEC(".maps");
struct acc { __u64 n, sum; };
// Accepted: bpf_loop calls a static function with the index and a pointer to the caller's
// stack, as often as the packet's queue says; the numbers it changes decide no branch, so the
// kernel's calls converge (it does not keep them exact).
static long step(__u64 i, struct acc *a) {
    a->n++;
    a->sum += i;
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct acc a = {};
    bpf_loop(ctx->rx_queue_index, step, &a, 0);
    __u32 k = 0;
    bpf_map_update_elem(&flows, &k, &a, BPF_ANY);
    return XDP_PASS;
}
