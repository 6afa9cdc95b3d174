#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 16);
    __type(value, __u64);
} q SEC(".maps");
// Refused at the call: a queue has no elements to walk by key (no map_for_each_callback).
static long visit(void *map, void *key, __u64 *v, void *c) { return 0; }
SEC("xdp") int prog(struct xdp_md *ctx) {
    return bpf_for_each_map_elem(&q, visit, 0, 0) ? XDP_PASS : XDP_DROP;
}
