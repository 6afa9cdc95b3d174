// xdp_perf_event.c -- send a small summary of every packet, plus its first bytes, to user space
// through a perf event array.
//
// Teaches: BPF_MAP_TYPE_PERF_EVENT_ARRAY and bpf_perf_event_output, the older way (before ring
// buffers) to stream events out of a program. The map holds one slot per CPU; user space
// (libbpf's perf_buffer__new) opens a perf event on each CPU and puts it in the slot of that
// CPU. The program writes to a slot with the `flags` argument:
//   - the low 32 bits pick the slot; BPF_F_CURRENT_CPU means "the CPU I am running on", the
//     only slot whose reader can take the sample (another CPU's reader: -EOPNOTSUPP; an empty
//     slot: -ENOENT; past max_entries: -E2BIG);
//   - XDP and TC programs may ask, in the upper 32 bits, for that many packet bytes to be
//     appended after the data (more than the packet holds: -EFAULT).
// The reader receives the struct followed by the packet bytes, zero-padded so that the
// sample's size plus its 4-byte length header is a multiple of 8.
//
// Try: a TCP packet (one 28-byte sample: 12 bytes of summary, 16 of packet), a 14-byte
// runt (26 bytes padded to 28), and the same packet with no reader in the map (every call
// fails with -ENOENT, counted in `failures`).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define PACKET_BYTES 16 // how much of the packet goes with each sample

struct packet_summary {
	__u32 len;          // the packet's length
	__u32 ifindex;      // the device it arrived on
	__u16 eth_proto;    // host byte order; 0 when there is no Ethernet header
	__u16 packet_bytes; // how many packet bytes follow this struct in the sample
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	// No max_entries: libbpf makes one slot per possible CPU.
} events SEC(".maps");

// Failed bpf_perf_event_output calls, by the (negative) error they returned.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __s32);
	__type(value, __u64);
} failures SEC(".maps");

__u64 samples_sent;

SEC("xdp")
int xdp_perf_event(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct packet_summary s = {};

	s.len = data_end - data;
	s.ifindex = ctx->ingress_ifindex;
	if ((void *)(eth + 1) <= data_end)
		s.eth_proto = bpf_ntohs(eth->h_proto);
	s.packet_bytes = s.len < PACKET_BYTES ? s.len : PACKET_BYTES;

	// Slot: this CPU's reader. Upper half: how many packet bytes to append.
	__u64 flags = BPF_F_CURRENT_CPU | ((__u64)s.packet_bytes << 32);
	long err = bpf_perf_event_output(ctx, &events, flags, &s, sizeof(s));
	if (err == 0) {
		__sync_fetch_and_add(&samples_sent, 1);
	} else {
		__s32 key = err;
		__u64 one = 1, *count = bpf_map_lookup_elem(&failures, &key);
		if (count)
			__sync_fetch_and_add(count, 1);
		else
			bpf_map_update_elem(&failures, &key, &one, BPF_NOEXIST);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
