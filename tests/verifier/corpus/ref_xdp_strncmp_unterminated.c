#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: the constant ends without a NUL.
const char want[4] = {71, 69, 84, 32};
SEC("xdp") int prog(struct xdp_md *ctx) { char buf[8] = "GET /ab"; return bpf_strncmp(buf, 4, want) == 0 ? XDP_PASS : XDP_DROP; }
