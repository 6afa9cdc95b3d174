// A tcp_congestion_ops in SEC(".struct_ops.link"), for tests/run/struct_ops_test.cpp: libbpf
// (1.2 and later; the reference machine's 1.1.2 does not know the section) creates the map with
// BPF_F_LINK, and registering it leaves it READY for bpf_link_create (BPF_STRUCT_OPS), which
// bpfplay does not do. Built from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/struct_ops_link.c -o tests/run/bpf/struct_ops_link.o

#include "tcp_ca_defs.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/two")
__u32 BPF_PROG(two, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/nothing")
void BPF_PROG(nothing, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/undo")
__u32 BPF_PROG(undo, struct sock *sk)
{
	return 10;
}

SEC(".struct_ops.link")
struct tcp_congestion_ops link_ca = {
	.ssthresh = (void *)two,
	.cong_avoid = (void *)nothing,
	.undo_cwnd = (void *)undo,
	.name = "bpfplay_link",
};
