// xdp_proto_count.c -- count packets and bytes for each IP protocol (TCP = 6, UDP = 17, ...).
//
// Teaches: a BPF_MAP_TYPE_HASH map declared the libbpf way (SEC(".maps") with __uint/__type),
// the lookup-or-insert pattern (bpf_map_lookup_elem, then bpf_map_update_elem with
// BPF_NOEXIST), and why the counters are updated with __sync_fetch_and_add: the value is
// shared memory that two CPUs may update at the same time.
//
// Try: a run of packets of different protocols, then look at the map "proto_stats".

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct proto_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);                 // the IP protocol number (IPv6: the next header)
	__type(value, struct proto_stats);
} proto_stats SEC(".maps");

SEC("xdp")
int xdp_proto_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct proto_stats *stats;
	__u64 len = data_end - data;
	__u32 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		proto = ip6->nexthdr;
	} else {
		return XDP_PASS;
	}

	stats = bpf_map_lookup_elem(&proto_stats, &proto);
	if (!stats) {
		// First packet of this protocol: insert a zeroed entry. BPF_NOEXIST makes this fail
		// harmlessly if another CPU inserted it in the meantime; then look it up again.
		struct proto_stats zero = {};

		bpf_map_update_elem(&proto_stats, &proto, &zero, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&proto_stats, &proto);
		if (!stats) // the map is full
			return XDP_PASS;
	}
	// The verifier knows stats is not NULL here, so these writes are allowed.
	__sync_fetch_and_add(&stats->packets, 1);
	__sync_fetch_and_add(&stats->bytes, len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
