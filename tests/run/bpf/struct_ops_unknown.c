// A struct_ops variable of a struct the kernel does not have, for tests/run/struct_ops_test.cpp.
// libbpf 1.1.2 on Linux 6.18 refuses the object: "struct_ops init_kern: struct
// bpf_struct_ops_tcp_congestion_opz is not found in kernel BTF" (-ENOTSUP).
// Built from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/struct_ops_unknown.c -o tests/run/bpf/struct_ops_unknown.o

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

struct sock;

struct tcp_congestion_opz {
	__u32 (*ssthresh)(struct sock *sk);
	char name[16];
};

SEC("struct_ops/two")
__u32 BPF_PROG(two, struct sock *sk)
{
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_opz typo_ca = {
	.ssthresh = (void *)two,
	.name = "bpfplay_typo",
};
