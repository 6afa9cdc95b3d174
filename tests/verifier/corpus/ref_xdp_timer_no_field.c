#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define CLOCK_MONOTONIC 1
struct elem { __u64 hits; struct bpf_timer t; __u64 last; };
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct elem);
} timers SEC(".maps");
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct elem);
} others SEC(".maps");
struct plain { __u64 a, b; };
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct plain);
} plains SEC(".maps");
// Refused at the call: the map's value has no struct bpf_timer.
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 key = 0;
    struct plain *p = bpf_map_lookup_elem(&plains, &key);
    if (!p) return XDP_DROP;
    bpf_timer_start((struct bpf_timer *)p, 0, 0);
    return XDP_PASS;
}
