// cgroup_skb_storage.c -- a cgroup's ingress byte budget, kept in cgroup storage: packets pass
// (1) until the cgroup has received 300 bytes, then they are dropped (0).
//
// Teaches: BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE with bpf_get_local_storage: no
// lookup, no key in the program -- the helper gives the value of the cgroup the program is
// attached to (never NULL), created zeroed when the program is attached. The key user space
// sees is struct bpf_cgroup_storage_key (the cgroup's id and the attach type); the per-CPU
// form has one value per CPU, written without atomics.
//
// Try: one 76-byte packet with --repeat 4 in bpfplay: three pass, the fourth would take the
// cgroup past 300 bytes and is dropped. (Under BPF_PROG_TEST_RUN the kernel gives every test run a fresh
// storage, so each of its cases sends one packet; bpfplay keeps the attached cgroup's value
// from run to run, as an attached program's storage is kept.)

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BUDGET_BYTES 300

struct budget {
	__u64 bytes;   // bytes let in
	__u32 passed;  // packets let in
	__u32 dropped; // packets dropped for want of budget
};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key); // max_entries 0: one value per attached cgroup
	__type(value, struct budget);
} cg_budget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64); // packets seen on each CPU
} cg_packets SEC(".maps");

SEC("cgroup_skb/ingress")
int cgroup_skb_storage(struct __sk_buff *skb)
{
	struct budget *b = bpf_get_local_storage(&cg_budget, 0);
	__u64 *seen = bpf_get_local_storage(&cg_packets, 0);

	*seen += 1; // this CPU's value: no other CPU writes it
	if (b->bytes + skb->len > BUDGET_BYTES) {
		__sync_fetch_and_add(&b->dropped, 1);
		return 0; // drop
	}
	__sync_fetch_and_add(&b->bytes, skb->len);
	__sync_fetch_and_add(&b->passed, 1);
	return 1; // pass
}

char LICENSE[] SEC("license") = "GPL";
