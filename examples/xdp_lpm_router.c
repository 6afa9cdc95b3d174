// xdp_lpm_router.c -- a routing table: the longest matching prefix of the destination address
// decides whether a packet passes or is dropped, and each route counts its packets.
//
// Teaches: a BPF_MAP_TYPE_LPM_TRIE map. Its key is a prefix length followed by the address
// bytes in network order (struct bpf_lpm_trie_key's layout); a lookup with prefixlen 32 and a
// packet's address finds the most specific stored prefix that covers it -- 10.1.2.0/24 before
// 10.1.0.0/16 before 10.0.0.0/8. The kernel insists on BPF_F_NO_PREALLOC for tries. The value
// pointer a lookup returns is shared memory, so the counters use __sync_fetch_and_add.
//
// Try: the routes of the "mixed" case, then look at "routes": in bpfplay each key shows as a
// prefix ("10.1.0.0/16"), and user space walks them most specific first (get_next_key).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct route_key {
	__u32 prefixlen; // how many leading bits of addr count
	__u32 addr;      // IPv4 address, network byte order (as in the packet)
};

struct route {
	__u32 action; // XDP_DROP (1) or XDP_PASS (2)
	__u32 id;     // a name for the route, for humans
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct route_key);
	__type(value, struct route);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

// Packets no route covers: [0] packets, [1] bytes.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} no_route SEC(".maps");

SEC("xdp")
int xdp_lpm_router(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 len = data_end - data;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	// A full-length key: the trie answers with the longest stored prefix of it.
	struct route_key key = {.prefixlen = 32, .addr = ip->daddr};
	struct route *r = bpf_map_lookup_elem(&routes, &key);
	if (!r) {
		__u32 i = 0;
		__u64 *n = bpf_map_lookup_elem(&no_route, &i);
		if (n)
			__sync_fetch_and_add(n, 1);
		i = 1;
		n = bpf_map_lookup_elem(&no_route, &i);
		if (n)
			__sync_fetch_and_add(n, len);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&r->packets, 1);
	__sync_fetch_and_add(&r->bytes, len);
	return r->action == XDP_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
