// struct_ops programs the kernel or libbpf refuses, for tests/run/struct_ops_test.cpp. On Linux
// 6.18 with libbpf 1.1.2, bpf_object__load fails with:
//   "prog 'orphan': SEC("struct_ops") program isn't referenced anywhere, did you forget to use it?"
// and, built with -DNO_ORPHAN, the verifier refuses write_srtt (as bpfplay stops its run):
//   "no write support to tcp_sock at off 1680" (srtt_us is read-only to a congestion control).
// bpfplay refuses orphan at load and stops a run of write_srtt at the store; the other members run.
// Built from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/struct_ops_refused.c -o tests/run/bpf/struct_ops_refused.o

#include "tcp_ca_defs.h"

char _license[] SEC("license") = "GPL";

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

SEC("struct_ops/reno_ssthresh")
__u32 BPF_PROG(reno_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/reno_cong_avoid")
void BPF_PROG(reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/reno_undo_cwnd")
__u32 BPF_PROG(reno_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

// srtt_us is not among the fields a congestion control may write.
SEC("struct_ops/write_srtt")
void BPF_PROG(write_srtt, struct sock *sk)
{
	tcp_sk(sk)->srtt_us = 1;
}

#ifndef NO_ORPHAN
// In a struct_ops section, but no function pointer of a struct_ops variable points at it.
SEC("struct_ops/orphan")
__u32 BPF_PROG(orphan, struct sock *sk)
{
	return 1;
}
#endif

SEC(".struct_ops")
struct tcp_congestion_ops refused_ca = {
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.init = (void *)write_srtt,
	.name = "bpfplay_refused",
};
