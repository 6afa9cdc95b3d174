// xdp_steer.c -- steers packets: UDP to port 9999 goes to an AF_XDP socket (user space handles
// it), other UDP is spread over two CPUs by source port, everything else passes.
//
// Teaches: the other bpf_redirect_map targets. XSKMAP holds AF_XDP sockets (usually one per RX
// queue, keyed by ctx->rx_queue_index); bpf_map_lookup_elem on it tells whether a socket is
// there. CPUMAP holds CPUs (with the queue size user space gave each): the packet is queued to
// that CPU, which builds the skb and runs the network stack there. For both, an empty slot
// makes bpf_redirect_map return the low bits of its flags (the fallback action) instead of
// XDP_REDIRECT.
//
// Try: the "cpu0_only" case: user space gave CPU 0 a queue; UDP from an even source port is
// redirected there (XDP_REDIRECT), from an odd one falls back to XDP_PASS, and to port 9999
// (no AF_XDP socket) to XDP_PASS too. In bpfplay, put a socket in xsks (key 0, any fd) and the
// exit report says the packet reached it.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32); // the AF_XDP socket's fd (user space writes it)
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val); // qsize (and an optional program)
} cpus SEC(".maps");

enum {
	STAT_TO_XSK,     // redirects toward an AF_XDP socket
	STAT_NO_XSK,     // port 9999 without a socket in the slot (lookup NULL)
	STAT_TO_CPU,     // XDP_REDIRECT from the cpumap
	STAT_CPU_EMPTY,  // the CPU's slot was empty: the fallback action
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static void count(__u32 i)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &i);
	if (p)
		*p += 1;
}

SEC("xdp")
int xdp_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;

	if (udp->dest == bpf_htons(9999)) {
		__u32 queue = ctx->rx_queue_index;
		if (!bpf_map_lookup_elem(&xsks, &queue)) {
			count(STAT_NO_XSK);
			return XDP_PASS;
		}
		count(STAT_TO_XSK);
		return bpf_redirect_map(&xsks, queue, XDP_PASS);
	}

	__u32 cpu = bpf_ntohs(udp->source) & 1;
	long action = bpf_redirect_map(&cpus, cpu, XDP_PASS);
	count(action == XDP_REDIRECT ? STAT_TO_CPU : STAT_CPU_EMPTY);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
