// Lesson 2: reading the packet. ctx->data and ctx->data_end point at the packet's first byte
// and one past its last. Before the program reads a header, it must show the verifier that the
// header lies inside: "if ((void *)(eth + 1) > data_end) ...". Without that check the kernel
// refuses to load the program.
// Task: drop IPv6 frames (EtherType 0x86dd), pass everything else; a frame too short for an
// Ethernet header (14 bytes) is dropped too.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int lesson2(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;  // a runt: which verdict does the task ask for?

	// From here on the 14 header bytes are known to be inside the packet: compare
	// eth->h_proto with bpf_htons(ETH_P_IPV6) (the field is big-endian).
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
