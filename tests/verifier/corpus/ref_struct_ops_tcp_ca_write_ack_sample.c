#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
struct sock { int sk_err; } __attribute__((preserve_access_index));
struct ack_sample { __u32 pkts_acked; __s32 rtt_us; __u32 in_flight; } __attribute__((preserve_access_index));
struct tcp_congestion_ops {
  __u32 (*ssthresh)(struct sock *sk);
  void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
  void (*pkts_acked)(struct sock *sk, const struct ack_sample *sample);
  __u32 (*undo_cwnd)(struct sock *sk);
  char name[16];
};
// Refused: a congestion control writes only its tcp_sock's allowed fields; the ack sample is read-only.
SEC("struct_ops/prog") void BPF_PROG(prog, struct sock *sk, const struct ack_sample *sample) {
  ((struct ack_sample *)sample)->pkts_acked = 0;
}
// The members every congestion control must have, after the program under test (the first).
SEC("struct_ops/ssthresh") __u32 BPF_PROG(ssthresh, struct sock *sk) { return 2; }
SEC("struct_ops/cong_avoid") void BPF_PROG(cong_avoid, struct sock *sk, __u32 ack, __u32 acked) {}
SEC("struct_ops/undo_cwnd") __u32 BPF_PROG(undo_cwnd, struct sock *sk) { return 10; }
SEC(".struct_ops") struct tcp_congestion_ops ca = {
  .ssthresh = (void *)ssthresh, .cong_avoid = (void *)cong_avoid, .pkts_acked = (void *)prog,
  .undo_cwnd = (void *)undo_cwnd, .name = "vk_ca",
};
