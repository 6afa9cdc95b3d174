// tcp_ca_dctcp.c -- DCTCP, a data-center congestion control, in BPF: the kernel's DCTCP
// functions (kfuncs) for its ECN bookkeeping, with its own loss response on top.
//
// Teaches: ECN-driven congestion control, and mixing the kernel's pieces with your own.
//   - DCTCP needs ECN: switches mark packets (CE) as queues build, the receiver echoes the marks
//     (ECE), and the sender counts how many of a round's segments came back marked
//     (tp->delivered_ce against tp->delivered). dctcp_update_alpha (the in_ack_event member)
//     smooths that fraction into alpha, out of 1024, once a round: alpha = 15/16 alpha + 1/16 F.
//   - On a mark the window shrinks by alpha / 2 (dctcp_ssthresh), not by half: a few marks cost
//     little, all marks halve it as Reno would.
//   - The kernel's functions keep struct dctcp in icsk_ca_priv; this program reads alpha from
//     there too (offset 12) to count how often a round ended with every segment marked.
//   - Run it through a connection with ECE marks (the host JSON's "tcp_flow", "ecn": true):
//     bpfvm run public/examples/tcp_ca_dctcp.o --host examples/tcp_ca_dctcp_flow.json
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct sock {
	int sk_err;
} __attribute__((preserve_access_index));

struct inet_connection_sock {
	__u64 icsk_ca_priv[13];
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
	void (*in_ack_event)(struct sock *sk, __u32 flags);
	__u32 (*undo_cwnd)(struct sock *sk);
	void (*init)(struct sock *sk);
	char name[16];
};

extern void dctcp_init(struct sock *sk) __ksym;
extern void dctcp_update_alpha(struct sock *sk, __u32 flags) __ksym;
extern void dctcp_cwnd_event(struct sock *sk, enum tcp_ca_event ev) __ksym;
extern __u32 dctcp_ssthresh(struct sock *sk) __ksym;
extern void dctcp_state(struct sock *sk, __u8 new_state) __ksym;
extern __u32 dctcp_cwnd_undo(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;

__u32 fully_marked_rounds;  // in_ack_event calls that left alpha at its maximum

SEC("struct_ops/dctcp_bpf_init")
void BPF_PROG(dctcp_bpf_init, struct sock *sk)
{
	dctcp_init(sk);
}

SEC("struct_ops/dctcp_bpf_in_ack_event")
void BPF_PROG(dctcp_bpf_in_ack_event, struct sock *sk, __u32 flags)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	__u32 alpha;

	dctcp_update_alpha(sk, flags);
	// struct dctcp's fourth u32 is dctcp_alpha.
	alpha = (__u32)(icsk->icsk_ca_priv[1] >> 32);
	if (alpha == 1024)
		fully_marked_rounds++;
}

SEC("struct_ops/dctcp_bpf_cwnd_event")
void BPF_PROG(dctcp_bpf_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	dctcp_cwnd_event(sk, ev);
}

SEC("struct_ops/dctcp_bpf_ssthresh")
__u32 BPF_PROG(dctcp_bpf_ssthresh, struct sock *sk)
{
	return dctcp_ssthresh(sk);
}

SEC("struct_ops/dctcp_bpf_set_state")
void BPF_PROG(dctcp_bpf_set_state, struct sock *sk, __u8 new_state)
{
	dctcp_state(sk, new_state);
}

SEC("struct_ops/dctcp_bpf_cong_avoid")
void BPF_PROG(dctcp_bpf_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/dctcp_bpf_undo_cwnd")
__u32 BPF_PROG(dctcp_bpf_undo_cwnd, struct sock *sk)
{
	return dctcp_cwnd_undo(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_dctcp = {
	.init = (void *)dctcp_bpf_init,
	.in_ack_event = (void *)dctcp_bpf_in_ack_event,
	.cwnd_event = (void *)dctcp_bpf_cwnd_event,
	.ssthresh = (void *)dctcp_bpf_ssthresh,
	.set_state = (void *)dctcp_bpf_set_state,
	.cong_avoid = (void *)dctcp_bpf_cong_avoid,
	.undo_cwnd = (void *)dctcp_bpf_undo_cwnd,
	.name = "bpf_dctcp",
};
