// A congestion control calling the BBR kfuncs bpfplay runs (bbr_init, bbr_set_state,
// bbr_cwnd_event, bbr_ssthresh, bbr_undo_cwnd, bbr_sndbuf_expand, bbr_min_tso_segs) from its
// members, for tests/run/tcp_ca_kfuncs_test.cpp.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/tcp_ca_bbr_parts.c -o tests/run/bpf/tcp_ca_bbr_parts.o
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

struct sock {
	int sk_err;
} __attribute__((preserve_access_index));

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	void (*set_state)(struct sock *sk, __u8 new_state);
	void (*cwnd_event)(struct sock *sk, int ev);
	__u32 (*min_tso_segs)(struct sock *sk);
	__u32 (*undo_cwnd)(struct sock *sk);
	__u32 (*sndbuf_expand)(struct sock *sk);
	void (*init)(struct sock *sk);
	char name[16];
};

extern void bbr_init(struct sock *sk) __ksym;
extern void bbr_set_state(struct sock *sk, __u8 new_state) __ksym;
extern void bbr_cwnd_event(struct sock *sk, int event) __ksym;
extern __u32 bbr_ssthresh(struct sock *sk) __ksym;
extern __u32 bbr_undo_cwnd(struct sock *sk) __ksym;
extern __u32 bbr_sndbuf_expand(struct sock *sk) __ksym;
extern __u32 bbr_min_tso_segs(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;

SEC("struct_ops/parts_init")
void BPF_PROG(parts_init, struct sock *sk) { bbr_init(sk); }

SEC("struct_ops/parts_set_state")
void BPF_PROG(parts_set_state, struct sock *sk, __u8 new_state) { bbr_set_state(sk, new_state); }

SEC("struct_ops/parts_cwnd_event")
void BPF_PROG(parts_cwnd_event, struct sock *sk, int ev) { bbr_cwnd_event(sk, ev); }

SEC("struct_ops/parts_ssthresh")
__u32 BPF_PROG(parts_ssthresh, struct sock *sk) { return bbr_ssthresh(sk); }

SEC("struct_ops/parts_cong_avoid")
void BPF_PROG(parts_cong_avoid, struct sock *sk, __u32 ack, __u32 acked) { tcp_reno_cong_avoid(sk, ack, acked); }

SEC("struct_ops/parts_min_tso_segs")
__u32 BPF_PROG(parts_min_tso_segs, struct sock *sk) { return bbr_min_tso_segs(sk); }

SEC("struct_ops/parts_undo_cwnd")
__u32 BPF_PROG(parts_undo_cwnd, struct sock *sk) { return bbr_undo_cwnd(sk); }

SEC("struct_ops/parts_sndbuf_expand")
__u32 BPF_PROG(parts_sndbuf_expand, struct sock *sk) { return bbr_sndbuf_expand(sk); }

SEC(".struct_ops")
struct tcp_congestion_ops bbr_parts = {
	.ssthresh = (void *)parts_ssthresh,
	.cong_avoid = (void *)parts_cong_avoid,
	.min_tso_segs = (void *)parts_min_tso_segs,
	.undo_cwnd = (void *)parts_undo_cwnd,
	.sndbuf_expand = (void *)parts_sndbuf_expand,
	.init = (void *)parts_init,
	.set_state = (void *)parts_set_state,
	.cwnd_event = (void *)parts_cwnd_event,
	.name = "bbr_parts",
};
