// bpf2bpf_calls.c -- a packet classifier split into real functions (bpf-to-bpf calls).
//
// Teaches: "static __noinline" functions compile to BPF "call" instructions to a subprogram,
// each with its own stack frame (512 bytes at most, 8 frames deep at most). Arguments travel
// in r1-r5 -- so 5 is the limit, see describe() -- and the result comes back in r0; r6-r9 are
// kept across the call. A pointer to the caller's stack (&info) can be passed down, and the
// callee writes through it into the caller's frame.
//
// Try: UDP to port 60000 (ephemeral port: DROP), TCP to port 22 (PASS), with --trace in the
// emulator to watch the frames; "last_info" and "last_class" in .bss keep the last result.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct pkt_info {
	__u32 len;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

enum port_class { PORT_NONE, PORT_WELL_KNOWN, PORT_REGISTERED, PORT_EPHEMERAL };

// Global variables (.bss), so the last result can be read after the run.
struct pkt_info last_info;
__u32 last_class;

// Depth 3: a leaf function with one argument.
static __noinline __u32 port_class(__u16 port)
{
	if (port == 0)
		return PORT_NONE;
	if (port < 1024)
		return PORT_WELL_KNOWN;
	if (port < 49152)
		return PORT_REGISTERED;
	return PORT_EPHEMERAL;
}

// Depth 2: five arguments (r1-r5), the first a pointer into the caller's stack frame.
static __noinline __u32 describe(struct pkt_info *info, __u8 proto, __u16 sport, __u16 dport,
				 __u32 len)
{
	info->proto = proto;
	info->sport = sport;
	info->dport = dport;
	info->len = len;
	return port_class(dport); // a call from a subprogram: one more frame
}

// Depth 2: reads the struct that describe() filled in.
static __noinline int verdict(const struct pkt_info *info, __u32 cls)
{
	if (info->proto == IPPROTO_UDP && cls == PORT_EPHEMERAL)
		return XDP_DROP;
	if (info->len > 1514)
		return XDP_DROP; // larger than an Ethernet frame
	return XDP_PASS;
}

SEC("xdp")
int xdp_bpf2bpf(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct pkt_info info = {}; // lives in this function's stack frame
	__u16 sport = 0, dport = 0;
	__u32 cls;
	int action;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return XDP_PASS;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		sport = bpf_ntohs(tcp->source);
		dport = bpf_ntohs(tcp->dest);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		sport = bpf_ntohs(udp->source);
		dport = bpf_ntohs(udp->dest);
	}

	cls = describe(&info, ip->protocol, sport, dport, data_end - data);
	action = verdict(&info, cls);

	last_info = info;
	last_class = cls;
	return action;
}

char LICENSE[] SEC("license") = "GPL";
