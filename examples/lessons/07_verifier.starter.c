// Lesson 7: the verifier refuses. Before the kernel runs a program it walks every path through
// it; an access it cannot prove safe is refused at load time, with a message such as "invalid
// access to packet". This program compiles, but the kernel would not load it: see the
// verifier's verdict by the Program title, and the refused line marked in the code.
// Task: make the verifier accept it. ARP frames (EtherType 0x0806) are dropped, the rest
// passes, and a frame too short for an Ethernet header is dropped.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int lesson7(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	// Reads 2 bytes at offset 12, but the packet may be shorter: nothing checked data_end.
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
