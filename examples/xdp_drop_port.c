// xdp_drop_port.c -- drop TCP and UDP packets sent to one port, pass all the others.
//
// Teaches: walking the headers of a packet in XDP (Ethernet, then IPv4 or IPv6, then TCP or
// UDP) and the bounds check the verifier wants before every read: "if (hdr + 1 > data_end)".
// Also: a .rodata constant ("const volatile") that a loader may change before loading, byte
// order (bpf_htons/bpf_ntohs: packets are big-endian), and the verdicts XDP_DROP and XDP_PASS.
//
// Try: a TCP or UDP packet to port 8080 (r0 = 1, XDP_DROP), one to port 80 (r0 = 2, XDP_PASS).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// Lives in .rodata. "volatile" stops clang from folding 8080 into the code, so a loader (or
// you, in the emulator) can set another port before the program runs.
const volatile __u16 blocked_port = 8080;

#define IP_FRAG_OFFSET 0x1fff // the fragment-offset bits of iphdr.frag_off

SEC("xdp")
int xdp_drop_port(struct xdp_md *ctx)
{
	// data and data_end are 32-bit fields of the context; the kernel turns them into pointers.
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l4;
	__u8 proto;
	__u16 dport;

	// Without this check the verifier rejects the read of eth->h_proto below.
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		if (ip->ihl < 5)
			return XDP_PASS; // a broken header: not ours to judge
		// Only the first fragment carries the TCP/UDP header.
		if (ip->frag_off & bpf_htons(IP_FRAG_OFFSET))
			return XDP_PASS;
		proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4; // IPv4 options make the header longer than 20 bytes
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		proto = ip6->nexthdr; // extension headers are not followed, to keep this short
		l4 = ip6 + 1;
	} else {
		return XDP_PASS; // ARP and friends
	}

	// l4 moved by a variable amount, so each check below is what makes the read safe.
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		dport = tcp->dest;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		dport = udp->dest;
	} else {
		return XDP_PASS;
	}

	if (bpf_ntohs(dport) == blocked_port)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
