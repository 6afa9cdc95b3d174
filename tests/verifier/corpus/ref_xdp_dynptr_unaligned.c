#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at the call: a dynptr must sit at an 8-aligned stack offset.
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u64 room[3] = {};
    struct bpf_dynptr *d = (struct bpf_dynptr *)((char *)room + 4);
    bpf_dynptr_from_mem(buf, sizeof(buf), 0, d);
    return room[0] ? XDP_PASS : XDP_DROP;
}
