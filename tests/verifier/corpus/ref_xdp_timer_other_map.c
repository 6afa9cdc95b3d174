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
// Refused at the call: bpf_timer_init must be given the map the timer lives in.
static int fire(void *map, __u32 *key, struct elem *e) {
    e->hits++;
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 key = 0;
    struct elem *e = bpf_map_lookup_elem(&timers, &key);
    if (!e) return XDP_DROP;
    bpf_timer_init(&e->t, &others, CLOCK_MONOTONIC);
    return XDP_PASS;
}
