// atomics.c -- every BPF atomic instruction, on a map value and on a global variable.
//
// Teaches: the atomic read-modify-write instructions (BPF_STX | BPF_ATOMIC): add, or, and,
// xor, each with a "fetch" form that returns the old value (used here, so clang emits it:
// -mcpu=v3), exchange (__sync_lock_test_and_set) and compare-and-exchange
// (__sync_val_compare_and_swap: r0 holds the expected value and receives the old one).
// Both 64-bit and 32-bit widths appear. The old values are saved in .bss to look at.
//
// Try: one packet, then --repeat 3 and see how each field evolves from run to run.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__u64 add;
	__u64 or_bits;
	__u64 and_bits;
	__u64 xor_bits;
	__u64 xchg;
	__u64 cmpxchg;
	__u32 add32;
	__u32 cmpxchg32;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} shared SEC(".maps");

// What each fetch form returned on the last run (the value before the operation).
struct counters old;

// A global counter: atomics work on globals too (they live in a map value as well).
__u64 runs;

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 key = 0;
	struct counters *c = bpf_map_lookup_elem(&shared, &key);

	if (!c)
		return XDP_ABORTED;

	__u64 run = __sync_fetch_and_add(&runs, 1);                      // fetch_add, 64-bit

	old.add = __sync_fetch_and_add(&c->add, len);                    // r = *p; *p += len
	old.or_bits = __sync_fetch_and_or(&c->or_bits, 1ULL << (run & 63));   // set bit "run"
	if (run == 0)
		c->and_bits = ~0ULL; // start with all bits set, then clear one per run
	old.and_bits = __sync_fetch_and_and(&c->and_bits, ~(1ULL << (run & 63)));
	old.xor_bits = __sync_fetch_and_xor(&c->xor_bits, 0xff00ff00ULL | len); // flips back and forth
	old.xchg = __sync_lock_test_and_set(&c->xchg, len + run);       // xchg: store, get old
	// cmpxchg: only replaces when the current value is the expected one (the previous run's
	// number). Returns what was there, whether or not it was replaced.
	old.cmpxchg = __sync_val_compare_and_swap(&c->cmpxchg, run == 0 ? 0 : run - 1, run);
	old.add32 = __sync_fetch_and_add(&c->add32, 1000);               // 32-bit fetch_add
	old.cmpxchg32 = __sync_val_compare_and_swap(&c->cmpxchg32, 0, len); // only the first time

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
