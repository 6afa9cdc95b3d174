// xdp_lru_conntrack.c -- a tiny connection table: packets and bytes for each IPv4 flow.
//
// Teaches: BPF_MAP_TYPE_LRU_HASH keyed by a struct (the 5-tuple). When the table is full, an
// insert does not fail as with a plain HASH: the kernel evicts a least-recently-used entry.
// With only 4 entries you can watch that happen. Also: zero the whole key, padding included,
// because the map compares keys byte by byte.
//
// Try: 5 or 6 packets of different flows in one run, then look at which flows are left in
// "flows"; a flow seen again (a lookup hit) is marked recently used and tends to survive.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
	__u32 saddr;   // network byte order, as in the packet
	__u32 daddr;
	__u16 sport;   // 0 for protocols without ports
	__u16 dport;
	__u8 proto;
	__u8 pad[3];   // explicit padding, so "= {}" clears every byte of the key
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4); // tiny on purpose: the 5th flow evicts one
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

SEC("xdp")
int xdp_lru_conntrack(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key key = {};
	struct flow_stats *st;
	__u64 len = data_end - data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return XDP_PASS;

	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;

	void *l4 = (void *)ip + ip->ihl * 4;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		key.sport = tcp->source;
		key.dport = tcp->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		key.sport = udp->source;
		key.dport = udp->dest;
	}

	st = bpf_map_lookup_elem(&flows, &key);
	if (st) {
		// A known flow. The lookup also marked the entry as recently used.
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
	} else {
		// A new flow. If the table is full, the LRU map makes room by evicting an old flow.
		struct flow_stats first = { .packets = 1, .bytes = len };

		bpf_map_update_elem(&flows, &key, &first, BPF_ANY);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
