// Lesson 9: per-CPU counters. Lesson 3's counter is one value that every CPU updates, so the
// increment had to be atomic, and CPUs take turns on its cache line. A BPF_MAP_TYPE_PERCPU_ARRAY
// keeps one copy of each value per CPU: bpf_map_lookup_elem returns this CPU's copy, which no
// other CPU touches, so a plain += is safe and fast. User space reads every CPU's copy and adds
// them up. The Maps tab shows each CPU's value; this lesson runs packets on CPU 0 and CPU 1.
// Task: count packets in pkts[0] and their bytes in pkts[1], each CPU in its own copy.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);    // 0: packets, 1: bytes
	__type(value, __u64);  // one per CPU
} pkts SEC(".maps");

SEC("xdp")
int lesson9(struct xdp_md *ctx)
{
	// __u32 key = 0;
	// __u64 *count = bpf_map_lookup_elem(&pkts, &key);  // this CPU's copy (an array always has it,
	//                                                     // but the verifier wants the NULL check)
	// then *count += 1; and the same for key 1 with the length (data_end - data)
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
