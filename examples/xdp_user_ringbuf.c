// xdp_user_ringbuf.c -- user space sends commands ("block port 53", "unblock port 53") through a
// user ring buffer; each packet first drains the waiting commands into a table of blocked
// ports, then is dropped if its destination port is blocked.
//
// Teaches: BPF_MAP_TYPE_USER_RINGBUF, the ring buffer that user space writes and programs read:
// bpf_user_ringbuf_drain calls a callback of the program once per record, oldest first, with a
// dynptr over the record (read it with bpf_dynptr_read: -E2BIG when the record is shorter than
// asked). The callback returns 0 to go on or 1 to stop: the records after it wait for the next
// drain. The drain returns how many records it handed over. In bpfplay, step into the callback
// like any function: each record is a call.
//
// Try: the "commands" case: the first packet drains "block 53", "block 80" and "pause" (3), so
// it is dropped; the second drains a short record and "unblock 53" (2) and, to port 80, is
// dropped; the third (to 53) drains nothing and passes.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { OP_BLOCK = 1, OP_UNBLOCK = 2, OP_PAUSE = 3 };

struct command {
	__u16 op;
	__u16 port; // host byte order
};

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} commands SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u8);
} blocked SEC(".maps");

enum {
	STAT_DRAINED,    // what the last bpf_user_ringbuf_drain returned
	STAT_COMMANDS,   // commands applied, all packets together
	STAT_BAD,        // records too short for a command (bpf_dynptr_read -E2BIG)
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_COUNT);
	__type(key, __u32);
	__type(value, __s64);
} stats SEC(".maps");

struct drain_ctx {
	__s64 applied;
	__s64 bad;
};

static void stat_set(__u32 i, __s64 v, int add)
{
	__s64 *p = bpf_map_lookup_elem(&stats, &i);
	if (p)
		*p = add ? *p + v : v;
}

static long apply_command(struct bpf_dynptr *record, void *data)
{
	struct drain_ctx *ctx = data;
	struct command cmd;
	__u8 one = 1;

	if (bpf_dynptr_read(&cmd, sizeof(cmd), record, 0, 0)) {
		ctx->bad++;
		return 0; // skip it, go on with the next record
	}
	if (cmd.op == OP_PAUSE)
		return 1; // stop here: later records wait for the next packet
	if (cmd.op == OP_BLOCK)
		bpf_map_update_elem(&blocked, &cmd.port, &one, BPF_ANY);
	else if (cmd.op == OP_UNBLOCK)
		bpf_map_delete_elem(&blocked, &cmd.port);
	ctx->applied++;
	return 0;
}

SEC("xdp")
int xdp_user_ringbuf(struct xdp_md *xdp)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;
	struct drain_ctx ctx = {};
	long drained;

	drained = bpf_user_ringbuf_drain(&commands, apply_command, &ctx, 0);
	stat_set(STAT_DRAINED, drained, 0);
	stat_set(STAT_COMMANDS, ctx.applied, 1);
	stat_set(STAT_BAD, ctx.bad, 1);

	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	__u16 port;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		port = bpf_ntohs(udp->dest);
	} else if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		port = bpf_ntohs(tcp->dest);
	} else {
		return XDP_PASS;
	}
	return bpf_map_lookup_elem(&blocked, &port) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
