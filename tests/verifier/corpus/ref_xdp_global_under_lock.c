#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused at the call: a global function may not be called while a bpf_spin_lock is held (the
// kernel verifies it apart, without the lock); a static one may.
struct bpf_spin_lock glock SEC(".data.lock");
__u64 total SEC(".data.lock");
__noinline int scaled(__u32 x) { return x * 3; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  bpf_spin_lock(&glock);
  total += scaled(ctx->rx_queue_index);
  bpf_spin_unlock(&glock);
  return XDP_PASS;
}
