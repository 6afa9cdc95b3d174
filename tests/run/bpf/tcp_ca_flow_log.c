// A congestion control that implements every member the TCP flow calls and logs each call
// (member id << 16 | its argument) into `calls`, for tests/run/tcp_ca_flow_test.cpp: the order
// is the kernel's. Its window logic is Reno's, through the kernel's own kfunc.
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/tcp_ca_flow_log.c -o tests/run/bpf/tcp_ca_flow_log.o
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

struct sock {
	int sk_err;
} __attribute__((preserve_access_index));

struct ack_sample {
	__u32 pkts_acked;
	__s32 rtt_us;
	__u32 in_flight;
} __attribute__((preserve_access_index));

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	void (*set_state)(struct sock *sk, __u8 new_state);
	void (*cwnd_event)(struct sock *sk, int ev);
	void (*in_ack_event)(struct sock *sk, __u32 flags);
	void (*pkts_acked)(struct sock *sk, const struct ack_sample *sample);
	__u32 (*undo_cwnd)(struct sock *sk);
	void (*init)(struct sock *sk);
	void (*release)(struct sock *sk);
	char name[16];
};

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

__u32 calls[256];
__u32 ncalls;
__u32 last_in_flight;  // pkts_acked's sample->in_flight, the last one

static void note(__u32 member, __u32 arg)
{
	__u32 i = ncalls;

	if (i < 256)
		calls[i] = member << 16 | (arg & 0xffff);
	ncalls = i + 1;
}

SEC("struct_ops/log_init")
void BPF_PROG(log_init, struct sock *sk) { note(1, 0); }

SEC("struct_ops/log_release")
void BPF_PROG(log_release, struct sock *sk) { note(2, 0); }

SEC("struct_ops/log_ssthresh")
__u32 BPF_PROG(log_ssthresh, struct sock *sk)
{
	note(3, 0);
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/log_cong_avoid")
void BPF_PROG(log_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	note(4, acked);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/log_set_state")
void BPF_PROG(log_set_state, struct sock *sk, __u8 new_state) { note(5, new_state); }

SEC("struct_ops/log_cwnd_event")
void BPF_PROG(log_cwnd_event, struct sock *sk, int ev) { note(6, ev); }

SEC("struct_ops/log_in_ack_event")
void BPF_PROG(log_in_ack_event, struct sock *sk, __u32 flags) { note(7, flags); }

SEC("struct_ops/log_pkts_acked")
void BPF_PROG(log_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	note(8, sample->pkts_acked);
	last_in_flight = sample->in_flight;
}

SEC("struct_ops/log_undo_cwnd")
__u32 BPF_PROG(log_undo_cwnd, struct sock *sk)
{
	note(9, 0);
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops log_ca = {
	.ssthresh = (void *)log_ssthresh,
	.cong_avoid = (void *)log_cong_avoid,
	.set_state = (void *)log_set_state,
	.cwnd_event = (void *)log_cwnd_event,
	.in_ack_event = (void *)log_in_ack_event,
	.pkts_acked = (void *)log_pkts_acked,
	.undo_cwnd = (void *)log_undo_cwnd,
	.init = (void *)log_init,
	.release = (void *)log_release,
	.name = "log_ca",
};
