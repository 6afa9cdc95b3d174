#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } cmds SEC(".maps");
struct counts { __u64 ok, bad; };
// Refused at the call: the callback does not own the record, it cannot submit it.
static long take(struct bpf_dynptr *rec, struct counts *c) {
    bpf_ringbuf_submit_dynptr(rec, 0);
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct counts c = {};
    bpf_user_ringbuf_drain(&cmds, take, &c, 0);
    return XDP_PASS;
}
