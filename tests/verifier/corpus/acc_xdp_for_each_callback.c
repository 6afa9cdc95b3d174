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
// Accepted: bpf_for_each_map_elem gives the callback the map, the key, the value and the
// caller's context; deleting the visited element is allowed.
static long visit(void *map, __u32 *key, struct flow *f, struct acc *a) {
    a->n++;
    a->sum += f->bytes + *key;
    if (f->packets > 3) bpf_map_delete_elem(map, key);
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct acc a = {};
    bpf_for_each_map_elem(&flows, visit, &a, 0);
    __u32 k = 0;
    bpf_map_update_elem(&flows, &k, &a, BPF_ANY);
    return XDP_PASS;
}
