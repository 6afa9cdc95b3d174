// xdp_tail_call.c -- a dispatcher that jumps to one program per IP protocol with bpf_tail_call.
//
// Teaches: BPF_MAP_TYPE_PROG_ARRAY and bpf_tail_call: the current program is replaced by
// another one (no return to the caller; the stack is not kept, only the context). The table
// is filled at load time from the BTF ".values" initializer, the libbpf way. A tail call to an
// empty slot does not jump: execution just continues after the call (here: count a miss and
// XDP_PASS). Each handler parses the packet again, since nothing else survives the jump.
//
// Try: TCP (r0 = 2, PASS), UDP (r0 = 1, DROP), an ICMP echo request (r0 = 3, XDP_TX: turned
// into an echo reply in place -- compare packet_out), and IPv4 GRE (protocol 47: a miss).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// <linux/icmp.h> pulls in the C library's headers, which do not compile for the BPF target, so
// the few ICMP definitions needed are spelled out here (same layout as struct icmphdr).
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

enum { HIT_TCP, HIT_UDP, HIT_ICMP, HIT_MISS, HIT_MAX };

// How many packets each program saw.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&hits, &which);

	if (n)
		__sync_fetch_and_add(n, 1);
}

// Finds the IPv4 header, or returns NULL. Inlined into every program that uses it.
static __always_inline struct iphdr *ipv4_header(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	return ip;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	count(HIT_TCP);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	count(HIT_UDP);
	return XDP_DROP; // say: no UDP here
}

// Answers a ping: swap the addresses, make the echo request (type 8) an echo reply (type 0),
// fix the ICMP checksum, and send the packet back out of the same interface (XDP_TX).
SEC("xdp")
int handle_icmp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *ip = ipv4_header(ctx);
	struct icmphdr *icmp;
	unsigned char mac[ETH_ALEN];
	__u32 addr, sum;

	count(HIT_ICMP);
	if (!ip || ip->ihl != 5)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	addr = ip->saddr; // swapping the addresses leaves the IPv4 checksum unchanged
	ip->saddr = ip->daddr;
	ip->daddr = addr;

	// The type is the high byte of the first 16-bit word: going from 8 to 0 lowers the
	// one's-complement sum by 0x0800, so the checksum (its complement) goes up by 0x0800.
	icmp->type = ICMP_ECHOREPLY;
	sum = icmp->checksum + bpf_htons(0x0800);
	icmp->checksum = (__u16)(sum + (sum >> 16)); // fold the carry back in
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256); // one slot per IP protocol number
	__type(key, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[IPPROTO_TCP] = (void *)&handle_tcp,
		[IPPROTO_UDP] = (void *)&handle_udp,
		[IPPROTO_ICMP] = (void *)&handle_icmp,
	},
};

SEC("xdp")
int xdp_dispatcher(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_header(ctx);

	if (!ip)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, ip->protocol);
	// Only reached when jmp_table has no program for this protocol.
	count(HIT_MISS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
