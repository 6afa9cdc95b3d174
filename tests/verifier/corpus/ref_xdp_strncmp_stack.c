#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: the constant string must be in a map, not on the stack.
SEC("xdp") int prog(struct xdp_md *ctx) { char buf[8] = "GET /ab"; char w[8] = "GET "; asm volatile("" ::: "memory"); return bpf_strncmp(buf, 4, w) == 0 ? XDP_PASS : XDP_DROP; }
