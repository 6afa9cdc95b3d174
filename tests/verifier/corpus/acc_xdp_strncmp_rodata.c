#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: bpf_strncmp compares with a constant string of .rodata (a frozen read-only map), NUL-terminated.
const char want[] = "GET ";
SEC("xdp") int prog(struct xdp_md *ctx) { char buf[8] = "GET /ab"; return bpf_strncmp(buf, 4, want) == 0 ? XDP_PASS : XDP_DROP; }
