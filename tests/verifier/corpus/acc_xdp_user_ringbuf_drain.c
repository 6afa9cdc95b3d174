#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } cmds SEC(".maps");
struct counts { __u64 ok, bad; };
// Accepted: each user ring buffer record reaches the callback as a read-only dynptr.
static long take(struct bpf_dynptr *rec, struct counts *c) {
    __u32 v;
    if (bpf_dynptr_read(&v, sizeof(v), rec, 0, 0)) { c->bad++; return 0; }
    c->ok += v;
    return v == 7;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct counts c = {};
    bpf_user_ringbuf_drain(&cmds, take, &c, 0);
    return XDP_PASS;
}
