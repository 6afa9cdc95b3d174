// A minimal TCP congestion control as a struct_ops map, for tests/run/struct_ops_test.cpp.
// Linux 6.18 (root, libbpf 1.1.2: bpf_object__load, then bpf_map__attach_struct_ops) loads
// and registers it. Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/struct_ops_ca.c -o tests/run/bpf/struct_ops_ca.o

#include "tcp_ca_defs.h"

char _license[] SEC("license") = "GPL";

// Halve the window on loss, never below 2 (tcp_reno_ssthresh).
SEC("struct_ops/half_ssthresh")
__u32 BPF_PROG(half_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	__u32 half = tp->snd_cwnd >> 1;
	return half < 2 ? 2 : half;
}

// Grow the window by the segments acked, then ack at once (bpf_tcp_send_ack).
SEC("struct_ops/grow_cong_avoid")
void BPF_PROG(grow_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	tp->snd_cwnd = tp->snd_cwnd + acked;
	bpf_tcp_send_ack(tp, tp->rcv_nxt);
}

SEC("struct_ops/keep_undo_cwnd")
__u32 BPF_PROG(keep_undo_cwnd, struct sock *sk)
{
	return tcp_sk(sk)->snd_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops half_ca = {
	.ssthresh = (void *)half_ssthresh,
	.cong_avoid = (void *)grow_cong_avoid,
	.undo_cwnd = (void *)keep_undo_cwnd,
	.name = "bpfplay_half",
};
