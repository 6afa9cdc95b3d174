// socket_filter.c -- a socket filter: keep ICMP whole, cut TCP and UDP down to 64 bytes, drop
// the rest (like "tcpdump -s 64 icmp or tcp or udp").
//
// Teaches: SEC("socket") programs and their return value, which is not a verdict but how many
// bytes of the packet the socket gets: 0 drops it, skb->len keeps it all. The context is a
// struct __sk_buff; socket filters cannot read packet memory directly, only through
// bpf_skb_load_bytes() or the old LD_ABS instructions (load_byte below). In BPF_PROG_TEST_RUN,
// as on a SOCK_DGRAM packet socket, offset 0 is the IP header: the Ethernet header has been
// consumed, and its EtherType is in skb->protocol (network byte order).
//
// Try: an ICMP echo (r0 = its length), a TCP packet (r0 = 64), an ARP packet (r0 = 0).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// The legacy BPF_LD | BPF_ABS | BPF_B instruction, as samples/bpf spells it: reads one byte at
// an absolute packet offset; if the offset is out of range the program stops and returns 0.
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

#define SNAPLEN 64

// Packets counted by protocol: [0] ICMP, [1] TCP, [2] UDP, [3] dropped.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&seen, &slot);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
	__u8 proto;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		// The high nibble of byte 0 is the IP version: 4.
		if ((load_byte(skb, 0) >> 4) != 4)
			goto drop;
		proto = load_byte(skb, offsetof(struct iphdr, protocol));
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		// Copies bytes out of the packet onto the stack; fails if the packet is too short.
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			goto drop;
		proto = ip6.nexthdr;
	} else {
		goto drop;
	}

	switch (proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		count(0);
		return skb->len; // keep the whole packet
	case IPPROTO_TCP:
		count(1);
		return SNAPLEN; // keep the first 64 bytes (all of it, if it is shorter)
	case IPPROTO_UDP:
		count(2);
		return SNAPLEN;
	}
drop:
	count(3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
