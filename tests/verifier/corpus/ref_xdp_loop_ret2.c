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
// Refused at the callback's exit: bpf_loop's callback must return 0 or 1.
static long step(__u64 i, struct acc *a) {
    a->n++;
    return 2;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct acc a = {};
    bpf_loop(8, step, &a, 0);
    return a.n > 3 ? XDP_PASS : XDP_DROP;
}
