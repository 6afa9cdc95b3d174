// Lesson 3: maps are how a program remembers. Each run starts with fresh registers and stack;
// a map keeps its entries between runs and user space can read them.
// bpf_map_lookup_elem(&map, &key) returns a pointer to the value, or NULL when the key is not
// there (the verifier makes you check); bpf_map_update_elem(&map, &key, &value, BPF_NOEXIST)
// inserts a new entry.
// Task: count the packets in map "counts" under key 0 (the first packet inserts 1, later ones
// add 1 through the pointer lookup gives), and pass them all.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int lesson3(struct xdp_md *ctx)
{
	// __u32 key = 0;
	// __u64 *value = bpf_map_lookup_elem(&counts, &key);
	// NULL: insert 1 with bpf_map_update_elem, else add 1 to *value
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
