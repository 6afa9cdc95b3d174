#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } m SEC(".maps");
// Refused at the callback's exit: it returns a pointer, not 0 or 1.
static long step(__u64 i, void *c) {
    __u32 k = 0;
    return (long)bpf_map_lookup_elem(&m, &k);
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    return bpf_loop(4, step, 0, 0) == 4 ? XDP_PASS : XDP_DROP;
}
