// xdp_ipv4_checksum.c -- check the IPv4 header checksum with a loop, drop packets that fail.
//
// Teaches: bounded loops (accepted by the verifier since Linux 5.3: it follows the loop and
// must see it end), and copying packet bytes onto the stack with bpf_xdp_load_bytes(), whose
// length may vary if the verifier can bound it (here 20..60: check the lower bound on the very
// value you pass). "#pragma clang loop unroll(disable)" keeps a real backward jump to step
// through. The Internet checksum: the one's-complement sum of the header's 16-bit words is
// 0xffff when the checksum field is right.
//
// Try: a well-formed IPv4 packet (PASS), the same with one header byte changed (DROP), and an
// IPv4 header with options (ihl 6: the loop runs 12 times instead of 10).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 bad_checksums; // .bss

SEC("xdp")
int xdp_ipv4_checksum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 hdr[30] = {}; // room for the longest IPv4 header: 15 * 4 bytes
	__u32 sum = 0;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	// ihl counts 32-bit words, so hlen is at most 60. Checking "ip->ihl < 5" instead would not
	// do: clang reads ihl again for hlen, and the verifier would see a length that may be 0.
	__u32 hlen = ip->ihl * 4;
	if (hlen < sizeof(*ip))
		return XDP_PASS;

	// Copies hlen bytes from packet offset 14 to the stack; fails if the packet is shorter.
	if (bpf_xdp_load_bytes(ctx, sizeof(*eth), hdr, hlen) < 0)
		return XDP_DROP;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < hlen / 2; i++)
		sum += hdr[i];

	// Fold the carries back into the low 16 bits (twice is always enough here).
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	if (sum != 0xffff) {
		bad_checksums++;
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
