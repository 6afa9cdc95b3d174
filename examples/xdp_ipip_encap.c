// xdp_ipip_encap.c -- a load balancer's forwarding step: wrapping an IPv4 packet in an outer IPv4
// header (IP-in-IP) toward a backend, as katran does, and trimming what is too long.
//
// Teaches: bpf_xdp_adjust_head(ctx, -20) to make room for a header in front, building the new
// header field by field, and its checksum with bpf_csum_diff: the sum of the 20 header bytes
// (the check field 0) folded to 16 bits and complemented. bpf_xdp_adjust_tail(ctx, -n) cuts
// bytes off the end: frames longer than 256 bytes are truncated before encapsulation (a sample,
// not a forward). The backend comes from a map keyed by the destination port.
//
// Try: TCP to port 80 (backend 10.9.0.1: encapsulated, XDP_TX), UDP to 53 (backend 10.9.0.2), a
// 400-byte frame to 80 (cut to 256 bytes, then encapsulated), a port without a backend (XDP_PASS).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_SAMPLE 256

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);   // destination port (host order)
	__type(value, __be32); // backend address
} backends SEC(".maps");

const volatile __be32 lb_address = 0x6400000a; // 10.0.0.100, the outer source

static __always_inline __u16 fold(__s64 sum)
{
	// bpf_csum_diff returns a 16-bit sum (folded, not complemented) or a negative error.
	return ~(__u16)sum;
}

SEC("xdp")
int xdp_ipip_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	__u16 port;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		port = bpf_ntohs(tcp->dest);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		port = bpf_ntohs(udp->dest);
	} else {
		return XDP_PASS;
	}
	__be32 *backend = bpf_map_lookup_elem(&backends, &port);
	if (!backend)
		return XDP_PASS;
	__be32 daddr = *backend;

	// Long frames: keep the first MAX_SAMPLE bytes.
	__u32 len = data_end - data;
	if (len > MAX_SAMPLE && bpf_xdp_adjust_tail(ctx, (int)(MAX_SAMPLE - len)))
		return XDP_ABORTED;

	// Room for the outer header; the Ethernet header moves to the new front.
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	struct ethhdr *new_eth = data;
	struct iphdr *outer = (void *)(new_eth + 1);
	struct ethhdr *old_eth = data + sizeof(struct iphdr); // where the frame started
	struct iphdr *inner = (void *)(outer + 1);
	if ((void *)(inner + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(new_eth->h_dest, old_eth->h_dest, ETH_ALEN);
	__builtin_memcpy(new_eth->h_source, old_eth->h_source, ETH_ALEN);
	new_eth->h_proto = bpf_htons(ETH_P_IP);

	struct iphdr h = {};
	h.version = 4;
	h.ihl = 5;
	h.ttl = 64;
	h.protocol = IPPROTO_IPIP;
	h.tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(struct iphdr));
	h.saddr = lb_address;
	h.daddr = daddr;
	h.check = fold(bpf_csum_diff(0, 0, (__be32 *)&h, sizeof(h), 0));
	*outer = h;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
