// xdp_subprog_tail_call.c -- bpf_tail_call made from inside a bpf-to-bpf function.
//
// Teaches: a tail call from a subprogram replaces only that subprogram's frame, not the whole
// program. The target starts in the subprogram's frame (with the context as r1), and when it
// exits, its return value goes back to the subprogram's caller, as if the subprogram had
// returned it: xdp_classify's code after classify() runs after the handler. The code after
// bpf_tail_call in the subprogram runs only on a miss (an empty slot). The caller's
// callee-saved registers (r6-r9) survive, as they do across any call.
//
// Two rules of the kernel's, both seen on Linux 6.18 (x86-64 JIT):
// - The verifier adds up the stack of the frames above such a subprogram (each rounded up to
//   16 bytes) and refuses 256 or more: "tail_calls are not allowed when call stack of previous
//   frames is 256 bytes. Too large" (bpf_object__load fails with EACCES).
// - The limit of 33 tail calls counts for the whole run, and each tail call made from a
//   subprogram keeps its caller's frame: xdp_chain tail-calls itself from hop() until the limit,
//   so 34 instances of it run nested inside each other and each returns into the one before.
//
// classify() is static and hop() global: both kinds of subprogram may tail-call. A pitfall:
// clang does not know that bpf_tail_call may replace the rest of a function. When every path
// of a subprogram's C code returns the same constant, clang folds that constant into the
// caller (static or global subprogram alike), which then ignores the handler's r0. Here the
// miss verdict is a .rodata setting (const volatile), so clang must use what comes back in r0.
//
// Try: TCP (handle_tcp: XDP_PASS), UDP (handle_udp: XDP_DROP), ICMP (no slot: classify's own
// miss_verdict, XDP_PASS); xdp_chain on any packet (34 runs, r0 = 34).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { RUNS_TCP, RUNS_UDP, MISSES, AFTER_CLASSIFY, CHAIN_RUNS, CHAIN_MISSES, CHAIN_RETURNS, STAT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

// Per verdict (XDP_ABORTED .. XDP_REDIRECT): packets and bytes, counted by xdp_classify after
// the handler returned.
struct verdict_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct verdict_count);
} verdicts SEC(".maps");

static __always_inline __u64 count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &which);

	if (!n)
		return 0;
	*n += 1;
	return *n;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	count(RUNS_TCP);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	count(RUNS_UDP);
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256); // one slot per IP protocol number
	__type(key, __u32);
	__array(values, int (void *));
} handlers SEC(".maps") = {
	.values = {
		[IPPROTO_TCP] = (void *)&handle_tcp,
		[IPPROTO_UDP] = (void *)&handle_udp,
	},
};

// What classify() returns for a protocol without a handler (set it before loading).
const volatile __u32 miss_verdict = XDP_PASS;

// A hit never comes back here: the handler's return value is what xdp_classify gets.
static __noinline int classify(struct xdp_md *ctx, __u32 protocol)
{
	bpf_tail_call(ctx, &handlers, protocol);
	count(MISSES);
	return miss_verdict;
}

SEC("xdp")
int xdp_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 len = data_end - data; // kept in a callee-saved register across the call
	struct verdict_count *v;
	__u32 verdict;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	verdict = classify(ctx, ip->protocol);
	count(AFTER_CLASSIFY);
	v = bpf_map_lookup_elem(&verdicts, &verdict);
	if (v) {
		v->packets += 1;
		v->bytes += len;
	}
	return verdict;
}

// ---- the tail call limit, with frames kept ----

int xdp_chain(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int (void *));
} chain SEC(".maps") = {
	.values = { [0] = (void *)&xdp_chain },
};

// Returns only when the tail call fails: on the 34th run, when 33 tail calls have been made.
__noinline int hop(struct xdp_md *ctx, __u64 run)
{
	bpf_tail_call(ctx, &chain, 0);
	count(CHAIN_MISSES);
	return (int)run;
}

SEC("xdp")
int xdp_chain(struct xdp_md *ctx)
{
	__u64 run = count(CHAIN_RUNS);
	int last = hop(ctx, run); // the run number of the instance whose tail call failed

	count(CHAIN_RETURNS);
	// Each instance returns into the one before (into its hop() call), so this value is
	// handed back 34 times: r0 = 34 (not an XDP action; BPF_PROG_TEST_RUN reports it as is).
	return last;
}

char LICENSE[] SEC("license") = "GPL";
