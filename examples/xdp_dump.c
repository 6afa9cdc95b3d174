// xdp_dump.c -- capture the packets an XDP program sees, and what it decided, without changing
// the program: the way xdp-tools' xdpdump works.
//
// Teaches: fentry and fexit programs attached to another BPF program instead of a kernel
// function. The section says "fentry/func": "func" is a placeholder, because the target is only
// known at load time (user space calls bpf_program__set_attach_target(prog, xdp_prog_fd,
// "xdp_ttl_guard")). The kernel then hands the tracing program the XDP program's context as
// the kernel sees it -- a struct xdp_buff *, not the struct xdp_md * the XDP program sees --
// and, to fexit, the XDP program's return value (its verdict). The xdp_buff is a kernel
// object: its fields are read directly (BTF pointers, relocated by CO-RE through
// preserve_access_index), the packet is not, so the program sends the packet bytes out with
// bpf_xdp_output: the perf sample holds the program's struct, then the first cap_len packet
// bytes the flags' upper 32 bits ask for (more than the packet: -EFAULT; unknown flag bits:
// -EINVAL).
//
// Try (in bpfplay the traced program is xdp_ttl_guard of this object, or by default any XDP
// program: bpfvm run xdp_dump.o --program dump_exit --traced xdp_ttl_guard --packet-hex ...):
// a TCP packet to dump_entry (a sample with flags 0, action 0), to dump_exit (xdp_ttl_guard
// ran first: action 2, XDP_PASS), a packet with TTL 1 (action 1, XDP_DROP); set snaplen to 16
// to capture only the Ethernet header and 2 bytes more.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

// The kernel's structs, only the fields used: preserve_access_index makes clang record each
// access for CO-RE, and the loader moves it to the running kernel's offsets.
struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

struct xdp_rxq_info {
	struct net_device *dev;
	__u32 queue_index;
} __attribute__((preserve_access_index));

struct xdp_buff {
	void *data;
	void *data_end;
	struct xdp_rxq_info *rxq;
} __attribute__((preserve_access_index));

#define CAPTURE_FEXIT 1 // the sample was taken after the program returned

// What each sample starts with (20 bytes); the packet bytes follow it.
struct capture_meta {
	__u32 ifindex;
	__u32 rx_queue;
	__u16 pkt_len;
	__u16 cap_len;
	__u16 flags;
	__u16 pad;
	__s32 action;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} captures SEC(".maps");

__u32 capture_ifindex = 1; // only packets arriving on this device
__u32 snaplen = 64;        // at most this many packet bytes per sample
long last_result;          // what the last bpf_xdp_output returned

// The program being watched: drops IPv4 packets whose TTL has run out.
SEC("xdp")
int xdp_ttl_guard(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return ip->ttl <= 1 ? XDP_DROP : XDP_PASS;
}

static __always_inline void capture(struct xdp_buff *xdp, __u16 flags, int action)
{
	void *data = xdp->data;
	void *data_end = xdp->data_end;
	struct capture_meta m = {};

	if (data >= data_end || xdp->rxq->dev->ifindex != capture_ifindex)
		return;
	m.ifindex = xdp->rxq->dev->ifindex;
	m.rx_queue = xdp->rxq->queue_index;
	m.pkt_len = data_end - data;
	m.cap_len = m.pkt_len < snaplen ? m.pkt_len : snaplen;
	m.flags = flags;
	m.action = action;
	last_result = bpf_xdp_output(xdp, &captures, ((__u64)m.cap_len << 32) | BPF_F_CURRENT_CPU, &m, sizeof(m));
}

SEC("fentry/func")
int BPF_PROG(dump_entry, struct xdp_buff *xdp)
{
	capture(xdp, 0, 0);
	return 0;
}

SEC("fexit/func")
int BPF_PROG(dump_exit, struct xdp_buff *xdp, int ret)
{
	capture(xdp, CAPTURE_FEXIT, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
