// tcp_ca_bbr.c -- BBR as a BPF congestion control, from the kernel's own BBR functions (kfuncs).
//
// Teaches: a rate-based congestion control, and the cong_control member.
//   - BBR does not react to each loss by cutting the window: it models the path -- the
//     bottleneck bandwidth (the max delivery rate of the last 10 rounds) and the round-trip
//     propagation time (min RTT of 10 s) -- and paces at gain * bandwidth, with cwnd at
//     gain * bandwidth * min_rtt. STARTUP (gain 2.885) doubles the rate each round until the
//     bandwidth stops growing by 25% for three rounds; DRAIN empties the queue STARTUP built;
//     PROBE_BW cycles the gain 1.25, 0.75, then 1.0 six times.
//   - Its per-ACK work is cong_control (bbr_main), which replaces cong_avoid and the kernel's
//     own window reduction: it gets the ACK's struct rate_sample (delivered, interval_us, ...).
//   - struct bbr in icsk_ca_priv holds the model, bitfields and all (104 bytes, all of it).
//   - Run it through a connection with a bottleneck (the host JSON's "tcp_flow"):
//     bpfvm run public/examples/tcp_ca_bbr.o --host examples/tcp_ca_bbr_flow.json
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct sock {
	int sk_err;
} __attribute__((preserve_access_index));

struct rate_sample {
	__u32 prior_delivered;
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
	void (*set_state)(struct sock *sk, __u8 new_state);
	void (*cwnd_event)(struct sock *sk, enum tcp_ca_event ev);
	__u32 (*min_tso_segs)(struct sock *sk);
	void (*cong_control)(struct sock *sk, __u32 ack, int flag, const struct rate_sample *rs);
	__u32 (*undo_cwnd)(struct sock *sk);
	__u32 (*sndbuf_expand)(struct sock *sk);
	void (*init)(struct sock *sk);
	char name[16];
};

extern void bbr_init(struct sock *sk) __ksym;
extern void bbr_main(struct sock *sk, __u32 ack, int flag, const struct rate_sample *rs) __ksym;
extern __u32 bbr_ssthresh(struct sock *sk) __ksym;
extern void bbr_set_state(struct sock *sk, __u8 new_state) __ksym;
extern void bbr_cwnd_event(struct sock *sk, enum tcp_ca_event event) __ksym;
extern __u32 bbr_min_tso_segs(struct sock *sk) __ksym;
extern __u32 bbr_undo_cwnd(struct sock *sk) __ksym;
extern __u32 bbr_sndbuf_expand(struct sock *sk) __ksym;

SEC("struct_ops/bbr_bpf_init")
void BPF_PROG(bbr_bpf_init, struct sock *sk) { bbr_init(sk); }

// Per ACK: update the model, then pacing rate and cwnd.
SEC("struct_ops/bbr_bpf_cong_control")
void BPF_PROG(bbr_bpf_cong_control, struct sock *sk, __u32 ack, int flag, const struct rate_sample *rs)
{
	bbr_main(sk, ack, flag, rs);
}

// On loss: remember cwnd (to restore after recovery); ssthresh itself stays.
SEC("struct_ops/bbr_bpf_ssthresh")
__u32 BPF_PROG(bbr_bpf_ssthresh, struct sock *sk) { return bbr_ssthresh(sk); }

SEC("struct_ops/bbr_bpf_set_state")
void BPF_PROG(bbr_bpf_set_state, struct sock *sk, __u8 new_state) { bbr_set_state(sk, new_state); }

SEC("struct_ops/bbr_bpf_cwnd_event")
void BPF_PROG(bbr_bpf_cwnd_event, struct sock *sk, enum tcp_ca_event ev) { bbr_cwnd_event(sk, ev); }

SEC("struct_ops/bbr_bpf_min_tso_segs")
__u32 BPF_PROG(bbr_bpf_min_tso_segs, struct sock *sk) { return bbr_min_tso_segs(sk); }

SEC("struct_ops/bbr_bpf_undo_cwnd")
__u32 BPF_PROG(bbr_bpf_undo_cwnd, struct sock *sk) { return bbr_undo_cwnd(sk); }

SEC("struct_ops/bbr_bpf_sndbuf_expand")
__u32 BPF_PROG(bbr_bpf_sndbuf_expand, struct sock *sk) { return bbr_sndbuf_expand(sk); }

SEC(".struct_ops")
struct tcp_congestion_ops bpf_bbr = {
	.init = (void *)bbr_bpf_init,
	.cong_control = (void *)bbr_bpf_cong_control,
	.ssthresh = (void *)bbr_bpf_ssthresh,
	.set_state = (void *)bbr_bpf_set_state,
	.cwnd_event = (void *)bbr_bpf_cwnd_event,
	.min_tso_segs = (void *)bbr_bpf_min_tso_segs,
	.undo_cwnd = (void *)bbr_bpf_undo_cwnd,
	.sndbuf_expand = (void *)bbr_bpf_sndbuf_expand,
	.name = "bpf_bbr",
};
