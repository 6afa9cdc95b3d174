// xdp_map_in_map.c -- one counter table per IP version, chosen through a map of maps.
//
// Teaches: BPF_MAP_TYPE_ARRAY_OF_MAPS. The outer map's values are other maps; a lookup in it
// returns a map the program can use with the ordinary helpers. Declared the libbpf BTF way:
// "__array(values, struct inner_map)" describes the inner maps, ".values" fills the outer map
// at load time. User space could swap an inner map for another one without reloading.
//
// Try: IPv4 and IPv6 packets of a few protocols; "v4_counts" and "v6_counts" fill separately,
// while "by_version" only holds references to them.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// The inner map type: a hash from IP protocol number to a packet count.
struct inner_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} v4_counts SEC(".maps"), v6_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} by_version SEC(".maps") = {
	.values = { [0] = &v4_counts, [1] = &v6_counts },
};

SEC("xdp")
int xdp_map_in_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 version, proto;
	__u64 one = 1, *count;
	void *inner;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		version = 0;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		version = 1;
		proto = ip6->nexthdr;
	} else {
		return XDP_PASS;
	}

	// Step 1: the outer lookup gives the inner map (or NULL for an empty slot).
	inner = bpf_map_lookup_elem(&by_version, &version);
	if (!inner)
		return XDP_PASS;

	// Step 2: use the inner map like any other map.
	count = bpf_map_lookup_elem(inner, &proto);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(inner, &proto, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
