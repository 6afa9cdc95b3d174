#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a lock in global data (its own section, so its map holds one lock) guarding a counter.
struct bpf_spin_lock glock SEC(".data.lock");
__u64 total SEC(".data.lock");
SEC("xdp") int prog(struct xdp_md *ctx) {
  bpf_spin_lock(&glock);
  total += ctx->rx_queue_index;
  bpf_spin_unlock(&glock);
  return XDP_PASS;
}
