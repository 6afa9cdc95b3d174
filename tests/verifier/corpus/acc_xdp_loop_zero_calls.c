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
// Accepted: bpf_loop(0, ...) never calls its callback, so the kernel never verifies it (it
// explores as many calls as the loop count allows), though it reads through NULL.
static long step(__u64 i, struct acc *a) {
    a->n++;
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    return bpf_loop(0, step, 0, 0) == 0 ? XDP_PASS : XDP_DROP;
}
