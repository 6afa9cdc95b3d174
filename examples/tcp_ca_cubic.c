// tcp_ca_cubic.c -- a TCP congestion control that is the kernel's CUBIC, assembled in BPF from
// the kernel's own CUBIC functions (kfuncs).
//
// Teaches: calling a kernel congestion control's pieces from a BPF one.
//   - net/ipv4/tcp_cubic.c exports its functions (cubictcp_init, cubictcp_cong_avoid,
//     cubictcp_recalc_ssthresh, cubictcp_state, cubictcp_cwnd_event, cubictcp_acked) as kfuncs
//     for struct_ops programs: each member below hands its arguments straight on. A real
//     congestion control would change one piece (say, its own ssthresh) and keep the rest.
//   - The kernel functions keep their state, struct bictcp, in the socket's icsk_ca_priv: the
//     same 104 bytes a BPF congestion control may use for its own (CO-RE: inet_csk_ca(sk)).
//   - The host JSON's "tcp_flow" plays a connection through it: run with
//     bpfvm run public/examples/tcp_ca_cubic.o --host examples/tcp_ca_flow.json
//     to see slow start, then after a loss the window cut to 717/1024 and the cubic curve
//     growing back towards the old maximum (W_max), fast at first, slowly near it.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct sock {
	int sk_err;
} __attribute__((preserve_access_index));

struct ack_sample {
	__u32 pkts_acked;
	__s32 rtt_us;
	__u32 in_flight;
} __attribute__((preserve_access_index));

// The kernel's enum (include/net/tcp.h). libbpf checks each kfunc extern's prototype against
// the kernel's BTF and refuses the object if an argument's kind differs: an int is not an enum.
enum tcp_ca_event {
	CA_EVENT_TX_START,
	CA_EVENT_CWND_RESTART,
	CA_EVENT_COMPLETE_CWR,
	CA_EVENT_LOSS,
	CA_EVENT_ECN_NO_CE,
	CA_EVENT_ECN_IS_CE,
};

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	void (*set_state)(struct sock *sk, __u8 new_state);
	void (*cwnd_event)(struct sock *sk, enum tcp_ca_event ev);
	void (*pkts_acked)(struct sock *sk, const struct ack_sample *sample);
	__u32 (*undo_cwnd)(struct sock *sk);
	void (*init)(struct sock *sk);
	char name[16];
};

extern void cubictcp_init(struct sock *sk) __ksym;
extern __u32 cubictcp_recalc_ssthresh(struct sock *sk) __ksym;
extern void cubictcp_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern void cubictcp_state(struct sock *sk, __u8 new_state) __ksym;
extern void cubictcp_cwnd_event(struct sock *sk, enum tcp_ca_event event) __ksym;
extern void cubictcp_acked(struct sock *sk, const struct ack_sample *sample) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

// At connection start: the epoch and HyStart's round start empty.
SEC("struct_ops/cubic_init")
void BPF_PROG(cubic_init, struct sock *sk)
{
	cubictcp_init(sk);
}

// On loss: remember the window as W_max and go down to 717/1024 of it.
SEC("struct_ops/cubic_ssthresh")
__u32 BPF_PROG(cubic_ssthresh, struct sock *sk)
{
	return cubictcp_recalc_ssthresh(sk);
}

// Per ACK: slow start, then one segment more per ca->cnt ACKs, cnt from the cubic curve.
SEC("struct_ops/cubic_cong_avoid")
void BPF_PROG(cubic_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	cubictcp_cong_avoid(sk, ack, acked);
}

// Entering Loss (a retransmission timeout) starts everything over.
SEC("struct_ops/cubic_set_state")
void BPF_PROG(cubic_set_state, struct sock *sk, __u8 new_state)
{
	cubictcp_state(sk, new_state);
}

// Sending again after an idle time moves the curve's start on.
SEC("struct_ops/cubic_cwnd_event")
void BPF_PROG(cubic_cwnd_event, struct sock *sk, enum tcp_ca_event event)
{
	cubictcp_cwnd_event(sk, event);
}

// Each ACK's RTT sample: the minimum delay, and HyStart's exit from slow start.
SEC("struct_ops/cubic_acked")
void BPF_PROG(cubic_acked, struct sock *sk, const struct ack_sample *sample)
{
	cubictcp_acked(sk, sample);
}

SEC("struct_ops/cubic_undo_cwnd")
__u32 BPF_PROG(cubic_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_cubic = {
	.init = (void *)cubic_init,
	.ssthresh = (void *)cubic_ssthresh,
	.cong_avoid = (void *)cubic_cong_avoid,
	.set_state = (void *)cubic_set_state,
	.cwnd_event = (void *)cubic_cwnd_event,
	.pkts_acked = (void *)cubic_acked,
	.undo_cwnd = (void *)cubic_undo_cwnd,
	.name = "bpf_cubic",
};
