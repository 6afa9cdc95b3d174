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
// Refused in the callback: the key a callback gets may be read, not changed.
static long visit(void *map, __u32 *key, struct flow *f, struct acc *a) {
    *key = 7;
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct acc a = {};
    bpf_for_each_map_elem(&flows, visit, &a, 0);
    return a.sum > 3 ? XDP_PASS : XDP_DROP;
}
