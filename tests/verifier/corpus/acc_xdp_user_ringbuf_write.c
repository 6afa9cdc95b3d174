#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } cmds SEC(".maps");
struct counts { __u64 ok, bad; };
// Accepted: bpf_dynptr_write takes the read-only record (its proto says MEM_RDONLY: the dynptr
// itself does not change); it fails at run time.
static long take(struct bpf_dynptr *rec, struct counts *c) {
    __u32 v = 1;
    bpf_dynptr_write(rec, 0, &v, sizeof(v), 0);
    return 0;
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    struct counts c = {};
    bpf_user_ringbuf_drain(&cmds, take, &c, 0);
    return XDP_PASS;
}
