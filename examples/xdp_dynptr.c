// xdp_dynptr.c -- report IPv4 flows through a ring buffer, reading headers through dynptrs.
//
// Teaches: dynptrs (struct bpf_dynptr), pointers that carry their own size, so a helper checks
// every access at run time and the verifier does not have to prove the bounds.
//   - bpf_dynptr_from_mem makes a "local" dynptr over memory the program owns. The kernel wants
//     a map value there (a global variable is one); the stack is refused.
//   - bpf_dynptr_read copies from a dynptr at any offset, even one computed at run time (here the
//     transport header, after an IPv4 header of variable length), and returns -E2BIG instead of
//     reading past the end.
//   - bpf_ringbuf_reserve_dynptr reserves a ring buffer record behind a dynptr;
//     bpf_dynptr_write fills it, bpf_dynptr_data gives a plain pointer to a fixed-size piece of
//     it, and bpf_ringbuf_submit_dynptr or bpf_ringbuf_discard_dynptr must end it, on every path
//     and even when the reservation failed (the verifier refuses the program otherwise:
//     "Unreleased reference").
//   - A full ring buffer makes bpf_ringbuf_reserve_dynptr fail with -EINVAL (not -ENOSPC).
//
// Try: a TCP packet (one record), DNS over UDP (reserved, read back, then discarded), IPv4 with
// options (the ports are found after the longer header), a frame cut inside the UDP header
// (-E2BIG from the read: a record without ports), a bare Ethernet header (-E2BIG, nothing
// reserved), and 172 packets in a row (the 4096-byte buffer holds 170 records of 16 bytes: two
// reservations fail).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct event {
	__u32 saddr;      // network byte order, as in the packet
	__u32 daddr;
	__u16 sport;      // network byte order; 0 when the ports were not in the packet
	__u16 dport;
	__u8 protocol;
	__u8 ttl;
	__u16 l4_offset;  // where the transport header starts: 14 + 4 * ihl
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); // 170 records of 16 bytes (+ an 8-byte header each) fit
} events SEC(".maps");

// The first bytes of the packet, copied here so a local dynptr can view them: the verifier only
// lets bpf_dynptr_from_mem take a map value, and a global variable is one (in .bss).
__u8 headers[64];

// What happened, in .bss: records submitted, discarded, reservations that failed, and the last
// error a dynptr helper returned.
__u64 submitted, discarded, reserve_failed;
__s64 last_error;

SEC("xdp")
int xdp_dynptr(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 copy = len < sizeof(headers) ? len : sizeof(headers);
	struct bpf_dynptr hdrs, rec;
	struct ethhdr eth;
	struct iphdr ip;
	__u16 ports[2] = {};
	long err;

	if (copy == 0 || bpf_xdp_load_bytes(ctx, 0, headers, copy) < 0)
		return XDP_PASS;
	// A dynptr over exactly the bytes copied: reads past them fail with -E2BIG.
	bpf_dynptr_from_mem(headers, copy, 0, &hdrs);

	err = bpf_dynptr_read(&eth, sizeof(eth), &hdrs, 0, 0);
	if (err < 0 || eth.h_proto != bpf_htons(ETH_P_IP)) {
		last_error = err;
		return XDP_PASS;
	}
	err = bpf_dynptr_read(&ip, sizeof(ip), &hdrs, sizeof(eth), 0);
	if (err < 0) {
		last_error = err;
		return XDP_PASS;
	}
	// A run-time offset: the verifier need not know it, bpf_dynptr_read checks it.
	__u32 l4 = sizeof(eth) + ip.ihl * 4;
	err = bpf_dynptr_read(ports, sizeof(ports), &hdrs, l4, 0);
	if (err < 0)
		last_error = err; // -E2BIG: the ports are past the bytes we have; report them as 0

	err = bpf_ringbuf_reserve_dynptr(&events, sizeof(struct event), 0, &rec);
	if (err < 0) {
		// The dynptr is invalid, but it still has to be given back.
		reserve_failed++;
		last_error = err;
		bpf_ringbuf_discard_dynptr(&rec, 0);
		return XDP_PASS;
	}
	// saddr and daddr are next to each other in the IPv4 header and in the record.
	bpf_dynptr_write(&rec, __builtin_offsetof(struct event, saddr), &ip.saddr, 8, 0);
	bpf_dynptr_write(&rec, __builtin_offsetof(struct event, sport), ports, sizeof(ports), 0);
	// A slice: a plain pointer to 4 bytes of the record (NULL if they were out of range).
	__u8 *tail = bpf_dynptr_data(&rec, __builtin_offsetof(struct event, protocol), 4);
	if (tail) {
		tail[0] = ip.protocol;
		tail[1] = ip.ttl;
		*(__u16 *)(tail + 2) = l4;
	}

	// Read the record back and decide: DNS is too chatty to report.
	struct event check;
	err = bpf_dynptr_read(&check, sizeof(check), &rec, 0, 0);
	if (err < 0 || check.dport == bpf_htons(53)) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		discarded++;
	} else {
		bpf_ringbuf_submit_dynptr(&rec, 0);
		submitted++;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
