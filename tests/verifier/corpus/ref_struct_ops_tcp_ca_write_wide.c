#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
struct sock { int sk_err; unsigned long sk_pacing_rate; } __attribute__((preserve_access_index));
struct inet_connection_sock { __u64 icsk_ca_priv[13]; } __attribute__((preserve_access_index));
struct tcp_sock { __u32 snd_cwnd; __u32 snd_cwnd_cnt; __u32 snd_cwnd_stamp; __u32 srtt_us; __u32 snd_ssthresh; } __attribute__((preserve_access_index));
struct tcp_congestion_ops {
  __u32 (*ssthresh)(struct sock *sk);
  void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
  __u32 (*undo_cwnd)(struct sock *sk);
  char name[16];
};
// Refused: an 8-byte store at snd_cwnd runs past the u32 field (one instruction, not two halves).
SEC("struct_ops/prog") void BPF_PROG(prog, struct sock *sk, __u32 ack, __u32 acked) {
  __u32 *cwnd = &((struct tcp_sock *)sk)->snd_cwnd;
  __u64 v = acked;
  asm volatile("*(u64 *)(%[p] + 0) = %[v]" :: [p] "r"(cwnd), [v] "r"(v) : "memory");
}
// The members every congestion control must have, after the program under test (the first).
SEC("struct_ops/ssthresh") __u32 BPF_PROG(ssthresh, struct sock *sk) { return 2; }
SEC("struct_ops/undo_cwnd") __u32 BPF_PROG(undo_cwnd, struct sock *sk) { return 10; }
SEC(".struct_ops") struct tcp_congestion_ops ca = {
  .ssthresh = (void *)ssthresh, .cong_avoid = (void *)prog, .undo_cwnd = (void *)undo_cwnd, .name = "vk_ca",
};
