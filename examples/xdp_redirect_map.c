// xdp_redirect_map.c -- send UDP packets out of another device, chosen through a devmap.
//
// Teaches: BPF_MAP_TYPE_DEVMAP (a table of network devices that userspace fills with
// ifindexes), bpf_redirect_map() and its return value: XDP_REDIRECT when the key has a device,
// otherwise the action in the low bits of its flags argument (here XDP_PASS), so one call
// both redirects and says what to do on a miss. Also: what XDP_REDIRECT means -- the kernel
// sends the frame out of the device the helper chose once the program returns.
//
// Try: fill tx_ports key 0 with ifindex 1 (lo) or, in bpfplay, 3 (eth1); a UDP packet to port
// 4000 (4000 % 4 == 0: XDP_REDIRECT, see the host events), to port 53 (53 % 4 == 1, no entry:
// XDP_PASS), and a TCP packet (not UDP: XDP_PASS). redirects counts the redirect attempts.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// Key: a port bucket (0-3). Value: the ifindex of the device to send to (u32).
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

// Key: the port bucket. Value: how many packets asked to go there.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} redirects SEC(".maps");

SEC("xdp")
int xdp_redirect_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;

	__u32 bucket = bpf_ntohs(udp->dest) % 4;
	__u64 *count = bpf_map_lookup_elem(&redirects, &bucket);
	if (count)
		__sync_fetch_and_add(count, 1);
	// XDP_REDIRECT if tx_ports has an entry for bucket, else XDP_PASS (the flags' low bits).
	return bpf_redirect_map(&tx_ports, bucket, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
