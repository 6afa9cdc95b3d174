// trace_printk.c -- print from a BPF program with bpf_printk, and what the formats can do.
//
// Teaches: bpf_printk (the bpf_trace_printk helper) writes a line to the kernel's trace buffer
// (read it with: cat /sys/kernel/tracing/trace_pipe). The format string lives in .rodata, and
// a call takes at most 3 arguments. Shown: %llu, %x with a width and zero fill (%04x), %c, %d
// and %u, right- and left-aligned fields ([%5d], [%-6s]), %s on a string on the stack, and
// %pI4/%pI6 for addresses (the argument is a pointer to the address bytes). For debugging only:
// it is slow, and every program on the machine shares the one buffer.
//
// Try: an IPv4 TCP packet and an IPv6 UDP packet; the kernel runner prints the lines under
// "trace" (with --trace).

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_trace_printk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 len = data_end - data;
	char kind[8] = "other";

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	bpf_printk("len=%llu ethertype=0x%04x first=%c", len, bpf_ntohs(eth->h_proto), 'E');

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		// %pI4 takes a pointer to 4 bytes in network byte order and prints 10.0.0.1.
		bpf_printk("ipv4 %pI4 -> %pI4 ttl=%d", &ip->saddr, &ip->daddr, ip->ttl);
		if (ip->protocol == IPPROTO_TCP)
			__builtin_memcpy(kind, "tcp", 4);
		else if (ip->protocol == IPPROTO_UDP)
			__builtin_memcpy(kind, "udp", 4);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		// %pI6 prints all eight groups: fe80:0000:0000:0000:0000:0000:0000:0001.
		bpf_printk("ipv6 %pI6 -> %pI6 hop=%u", &ip6->saddr, &ip6->daddr, ip6->hop_limit);
		__builtin_memcpy(kind, "ipv6", 5);
	}
	// Widths and alignment: [%5d] right-aligns, [%-6s] left-aligns, %x is hexadecimal.
	bpf_printk("[%5d] [%-6s] [%x]", (int)len, kind, 0xbeef);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
