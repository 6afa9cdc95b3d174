#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a static function returning void exits with r0 never written; the kernel checks
// R0 only at the program's own exit (check_return_code), a function's exit just hands r0 back.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");
static __attribute__((noinline)) void count(__u32 key) {
    if (key > 0) return;  // this path exits before r0 is written
    __u64 *v = bpf_map_lookup_elem(&counts, &key);
    if (v) __sync_fetch_and_add(v, 1);
}
SEC("xdp") int prog(struct xdp_md *ctx) {
    count(ctx->ingress_ifindex);
    return XDP_PASS;
}
