// xdp_queue_stack.c -- UDP packets push their length into a queue and a stack; TCP packets
// pop one length from each.
//
// Teaches: BPF_MAP_TYPE_QUEUE (first in, first out) and BPF_MAP_TYPE_STACK (last in, first
// out). They have no keys: programs use bpf_map_push_elem, bpf_map_pop_elem and
// bpf_map_peek_elem, which copy a value in or out of the program's stack (no pointer into the
// map). Pushing into a full map fails with -E2BIG unless the flags are BPF_EXIST, which drops
// the oldest value to make room; popping an empty one fails with -ENOENT.
//
// Try: the "overflow" case: 5 lengths into maps of 3. The queue (pushed with BPF_EXIST) keeps
// the newest 3; the stack refuses the last 2 and keeps the first 3.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u32); // queues and stacks declare no key
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u32);
} lifo SEC(".maps");

enum {
	STAT_PUSHES,      // UDP packets pushed
	STAT_STACK_FULL,  // pushes the full stack refused (-E2BIG)
	STAT_POPS,        // TCP packets that popped a length
	STAT_EMPTY,       // TCP packets that found the queue empty (-ENOENT)
	STAT_FIFO_LAST,   // the last length popped from the queue
	STAT_LIFO_LAST,   // the last length popped from the stack
	STAT_FIFO_NEXT,   // what the queue's peek shows after that pop (0: empty)
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static void stat_set(__u32 i, __u64 v, int add)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &i);
	if (p)
		*p = add ? *p + v : v;
}

SEC("xdp")
int xdp_queue_stack(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 len = data_end - data;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	if (ip->protocol == IPPROTO_UDP) {
		// The queue makes room (drops its oldest) when full; the stack refuses.
		bpf_map_push_elem(&fifo, &len, BPF_EXIST);
		if (bpf_map_push_elem(&lifo, &len, 0) == -7 /* -E2BIG */)
			stat_set(STAT_STACK_FULL, 1, 1);
		stat_set(STAT_PUSHES, 1, 1);
		return XDP_PASS;
	}
	if (ip->protocol != IPPROTO_TCP)
		return XDP_PASS;

	__u32 from_fifo, from_lifo, next;
	if (bpf_map_pop_elem(&fifo, &from_fifo) < 0) {
		stat_set(STAT_EMPTY, 1, 1);
		return XDP_DROP; // nothing queued
	}
	if (bpf_map_pop_elem(&lifo, &from_lifo) < 0)
		from_lifo = 0; // the kernel zeroed it anyway
	// peek: the next value without taking it. On an empty queue it fails and zeroes `next`.
	bpf_map_peek_elem(&fifo, &next);
	stat_set(STAT_POPS, 1, 1);
	stat_set(STAT_FIFO_LAST, from_fifo, 0);
	stat_set(STAT_LIFO_LAST, from_lifo, 0);
	stat_set(STAT_FIFO_NEXT, next, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
