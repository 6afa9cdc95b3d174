#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
__u8 buf[64];
// Refused at the store: the slice has 8 bytes, the store is at 8..15.
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct bpf_dynptr d;
    bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
    __u64 *p = bpf_dynptr_data(&d, 0, 8);
    if (!p) return XDP_DROP;
    p[1] = 1;
    return XDP_PASS;
}
