#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } cmds SEC(".maps");
struct counts { __u64 ok, bad; };
// Accepted: a slice of the read-only record is writable to the verifier (bpf_dynptr_data gives
// NULL at run time).
static long take(struct bpf_dynptr *rec, struct counts *c) {
    __u32 *p = bpf_dynptr_data(rec, 0, 4);
    if (!p) return 0;
    *p = 1;
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct counts c = {};
    bpf_user_ringbuf_drain(&cmds, take, &c, 0);
    return XDP_PASS;
}
