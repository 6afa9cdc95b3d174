// Lesson 10: functions and tail calls. A __noinline function is a real BPF-to-BPF call: its own
// stack frame, arguments in r1-r5, the result in r0, back to the caller. bpf_tail_call(ctx,
// &progs, i) is a jump with no return: the program in slot i of a BPF_MAP_TYPE_PROG_ARRAY
// replaces the running one, with the same context, and its return value is the verdict. If
// the slot is empty the call falls through to the next line. Slot 0 of progs holds count_tcp
// below (filled at load time from the .values initializer, as libbpf does).
// Task: in lesson10, use is_tcp(); tail-call progs[0] for TCP packets, drop everything else.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tcp_count SEC(".maps");

// A BPF-to-BPF function: 1 if the packet is IPv4 TCP, else 0.
static __noinline int is_tcp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	return ip->protocol == IPPROTO_TCP;
}

SEC("xdp")
int count_tcp(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&tcp_count, &key);

	if (n)
		*n += 1;
	return XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int (void *));
} progs SEC(".maps") = {
	.values = { [0] = (void *)&count_tcp },
};

SEC("xdp")
int lesson10(struct xdp_md *ctx)
{
	if (is_tcp(ctx)) {
		// bpf_tail_call(ctx, &progs, 0): continue in count_tcp, which returns for us
	}
	return XDP_PASS;  // what a packet that is not TCP should get: XDP_DROP
}

char LICENSE[] SEC("license") = "GPL";
