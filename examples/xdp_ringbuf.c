// xdp_ringbuf.c -- report new TCP connections (SYN packets) to user space through a ring buffer.
//
// Teaches: BPF_MAP_TYPE_RINGBUF, the way to stream events out of a program. bpf_ringbuf_reserve
// gives a pointer into the buffer (or NULL when it is full), the program fills the record in
// place, and bpf_ringbuf_submit publishes it; the verifier makes sure each reservation is
// submitted or discarded. bpf_ringbuf_output copies a ready-made record instead.
//
// Try: a TCP SYN (one event), a SYN-ACK (nothing), and a UDP packet (a "short" event made
// with bpf_ringbuf_output). The kernel runner prints the records under "ringbuf".

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct syn_event {
	__u32 saddr;   // network byte order
	__u32 daddr;
	__u16 sport;   // host byte order
	__u16 dport;
	__u32 seq;     // the initial sequence number
};

struct udp_event {
	__u16 dport;
	__u16 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); // bytes; a power of 2 and a multiple of the page size
} events SEC(".maps");

__u64 dropped_events; // reservations that failed because the buffer was full

SEC("xdp")
int xdp_ringbuf(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return XDP_PASS;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		struct syn_event *e;

		if ((void *)(tcp + 1) > data_end || !tcp->syn || tcp->ack)
			return XDP_PASS;
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			__sync_fetch_and_add(&dropped_events, 1);
			return XDP_PASS;
		}
		e->saddr = ip->saddr;
		e->daddr = ip->daddr;
		e->sport = bpf_ntohs(tcp->source);
		e->dport = bpf_ntohs(tcp->dest);
		e->seq = bpf_ntohl(tcp->seq);
		bpf_ringbuf_submit(e, 0);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);
		struct udp_event ev;

		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		ev.dport = bpf_ntohs(udp->dest);
		ev.len = bpf_ntohs(udp->len);
		if (bpf_ringbuf_output(&events, &ev, sizeof(ev), 0) < 0)
			__sync_fetch_and_add(&dropped_events, 1);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
