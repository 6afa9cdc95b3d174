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
// Refused at the call: bpf_loop's context must be on the stack (or NULL), not in a map value.
static long step(__u64 i, struct flow *f) {
    f->packets++;
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 k = 1;
    struct flow *f = bpf_map_lookup_elem(&flows, &k);
    if (!f) return XDP_DROP;
    return bpf_loop(4, step, f, 0) ? XDP_PASS : XDP_DROP;
}
