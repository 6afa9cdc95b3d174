// xdp_bloom_filter.c -- pass the first packet from each IPv4 source, drop the ones after it,
// with a bloom filter in front of an exact table.
//
// Teaches: BPF_MAP_TYPE_BLOOM_FILTER. bpf_map_push_elem adds a value; bpf_map_peek_elem
// answers 0 ("maybe seen") or -ENOENT ("certainly not"). It stores no values, only bits, so a
// "maybe" can be wrong: a false positive, when other sources happened to set the same bits.
// The usual pattern checks an exact map only after the filter says "maybe". map_extra sets
// the number of hash functions; BPF_F_ZERO_SEED fixes the hash seed, so the same addresses set
// the same bits in every run (and in bpfplay as in the kernel).
//
// Try: the "false_positives" case: 24 new sources through a filter sized for 4 -- some are
// reported "maybe seen" although they never were (stats[2]), and those new senders are dropped.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 4);       // expected values: sizes the bit array (here 64 bits)
	__type(value, __u32);         // a bloom filter has no key
	__uint(map_extra, 1);         // one hash function
	__uint(map_flags, BPF_F_ZERO_SEED);
} seen SEC(".maps");

// The truth: every source really seen, with its packet count.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} sources SEC(".maps");

// [0] new sources, [1] repeated sources, [2] false positives (the filter said maybe, wrongly).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static void count(__u32 i)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &i);
	if (p)
		__sync_fetch_and_add(p, 1);
}

SEC("xdp")
int xdp_bloom_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	__u32 saddr = ip->saddr;
	__u64 one = 1;
	if (bpf_map_peek_elem(&seen, &saddr) != 0) {
		// Certainly new: remember it in both maps and let the packet through.
		bpf_map_push_elem(&seen, &saddr, BPF_ANY);
		bpf_map_update_elem(&sources, &saddr, &one, BPF_NOEXIST);
		count(0);
		return XDP_PASS;
	}
	// Maybe seen: only the exact table can tell.
	__u64 *n = bpf_map_lookup_elem(&sources, &saddr);
	if (n) {
		__sync_fetch_and_add(n, 1);
		count(1);
	} else {
		bpf_map_update_elem(&sources, &saddr, &one, BPF_NOEXIST);
		count(2);
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
