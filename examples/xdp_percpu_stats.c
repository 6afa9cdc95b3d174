// xdp_percpu_stats.c -- receive statistics kept per CPU, and a drop rule for dying packets.
//
// Teaches: BPF_MAP_TYPE_PERCPU_ARRAY: every CPU has its own copy of each value, so the program
// updates it with plain "+=" (no atomics, no cache-line bouncing); user space reads one value
// per CPU and adds them up. Also: an ARRAY lookup with a valid key never fails, but the
// verifier still wants the NULL check.
//
// Try: a few packets, then one with IPv4 TTL 1 (dropped) or a 20-byte runt (dropped); the map
// "stats" holds one value per possible CPU and only CPU 0's changes.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct rx_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 drops_ttl;   // IPv4 packets whose TTL is 0 or 1: a router would drop them
	__u64 drops_runt;  // IPv4 packets too short to hold an IPv4 header
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_stats);
} stats SEC(".maps");

SEC("xdp")
int xdp_percpu_stats(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rx_stats *s;
	__u32 key = 0;

	s = bpf_map_lookup_elem(&stats, &key); // this CPU's copy
	if (!s)
		return XDP_ABORTED;

	s->rx_packets += 1;
	s->rx_bytes += data_end - data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end) {
		s->drops_runt += 1;
		return XDP_DROP;
	}
	if (ip->ttl <= 1) {
		s->drops_ttl += 1;
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
