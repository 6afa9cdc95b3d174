// tcp_ca_reno.c -- a TCP congestion control written in BPF: TCP Reno as a struct_ops map.
//
// Teaches: struct_ops, programs the kernel calls as the operations of one of its own structs.
//   - The SEC(".struct_ops") variable `bpf_reno` is a struct tcp_congestion_ops whose function
//     pointers are the programs below. libbpf makes it a BPF_MAP_TYPE_STRUCT_OPS map (one value:
//     the kernel's struct bpf_struct_ops_tcp_congestion_ops); attaching the map registers
//     "bpf_reno", which sockets then pick with setsockopt(TCP_CONGESTION) or the sysctl
//     net.ipv4.tcp_congestion_control. Each program implements the member that points at it.
//   - A struct_ops program's context is the member's arguments, u64 each, like a tracing
//     program's: BPF_PROG(name, struct sock *sk, __u32 ack, __u32 acked) names them. The kernel
//     hands a `struct sock *` that really is a struct tcp_sock, read directly (CO-RE, no
//     bpf_probe_read): in bpfplay it is the host's established TCP socket, so tp->snd_cwnd is
//     the socket's congestion window (Host tab: sockets, tcp).
//   - Writes are limited: a congestion control may change snd_cwnd, snd_cwnd_cnt,
//     snd_ssthresh, ecn_flags, ... but not, say, srtt_us ("no write support to tcp_sock").
//     The fields it changed go back to the host's socket, and the next run sees them.
//   - The kernel's own Reno pieces are kfuncs (tcp_reno_undo_cwnd here), and bpf_tcp_send_ack
//     sends an ACK at once (the console's event log shows it).
//   - The kernel insists on ssthresh, undo_cwnd and cong_avoid (or cong_control): without one
//     the map does not register (-EINVAL).
//
// Try: run cong_avoid with the context "0 0 0 0 0 0 0 0 | ack | acked" (three u64s: sk is
// filled in for you; e.g. acked = 4) and watch snd_cwnd grow by 4 in slow start; set the
// socket's snd_ssthresh below snd_cwnd (Host tab) to see additive increase through
// snd_cwnd_cnt; run ssthresh to halve the window.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";  // struct_ops programs must be GPL

// The kernel's structs, only the members used; CO-RE puts each access at the kernel's offset.
struct sock {
	int sk_err;
} __attribute__((preserve_access_index));

struct tcp_sock {
	__u32 snd_cwnd;
	__u32 snd_cwnd_cnt;
	__u32 snd_cwnd_clamp;
	__u32 snd_ssthresh;
	__u32 rcv_nxt;
} __attribute__((preserve_access_index));

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};

extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

static struct tcp_sock *tcp_sk(struct sock *sk) { return (struct tcp_sock *)sk; }

// On loss: the new slow-start threshold, half the window (at least 2 segments).
SEC("struct_ops/reno_ssthresh")
__u32 BPF_PROG(reno_ssthresh, struct sock *sk)
{
	__u32 half = tcp_sk(sk)->snd_cwnd >> 1;
	return half > 2 ? half : 2;
}

// On each ACK: grow the window. Below ssthresh by the segments acked (slow start), above it
// by one segment per window's worth of ACKs (additive increase, counted in snd_cwnd_cnt).
SEC("struct_ops/reno_cong_avoid")
void BPF_PROG(reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 cwnd = tp->snd_cwnd;

	if (cwnd < tp->snd_ssthresh) {
		cwnd += acked;
		if (cwnd > tp->snd_ssthresh)
			cwnd = tp->snd_ssthresh;
	} else {
		__u32 cnt = tp->snd_cwnd_cnt + acked;
		if (cnt >= cwnd) {
			cnt -= cwnd;
			cwnd += 1;
		}
		tp->snd_cwnd_cnt = cnt;
	}
	tp->snd_cwnd = cwnd;
	// Acknowledge what arrived at once instead of delaying the ACK.
	bpf_tcp_send_ack(tp, tp->rcv_nxt);
}

// After a false loss signal: back to the window before it (the kernel's own function).
SEC("struct_ops/reno_undo_cwnd")
__u32 BPF_PROG(reno_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_reno = {
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.name = "bpf_reno",
};
