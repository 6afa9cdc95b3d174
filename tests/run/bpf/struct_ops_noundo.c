// A tcp_congestion_ops without undo_cwnd, for tests/run/struct_ops_test.cpp: libbpf 1.1.2 loads
// it on Linux 6.18, but registering it (bpf_map__attach_struct_ops: BPF_MAP_UPDATE_ELEM) fails
// with -EINVAL, the kernel logging "bpfplay_noundo does not implement required ops".
// Built from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/struct_ops_noundo.c -o tests/run/bpf/struct_ops_noundo.o

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

SEC(".struct_ops")
struct tcp_congestion_ops noundo_ca = {
	.ssthresh = (void *)two,
	.cong_avoid = (void *)nothing,
	.name = "bpfplay_noundo",
};
