// Lesson 5: parsing headers one after the other. Each header starts where the one before ends,
// and each needs its own bounds check before it is read. The IPv4 header's length is ihl * 4
// bytes (options make it longer than struct iphdr); TCP ports are big-endian.
// Task: drop TCP packets to port 8080; pass everything else (UDP, other ports, IPv6).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int lesson5(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	// ip->protocol == IPPROTO_TCP? The TCP header is at (void *)ip + ip->ihl * 4: check it
	// against data_end too, then compare tcp->dest with bpf_htons(8080).
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
