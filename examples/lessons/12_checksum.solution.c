// Lesson 12 (solution): each changed 16-bit word updates its checksum by the difference
// (bpf_l3/l4_csum_replace), then the bytes are written (bpf_skb_store_bytes). The port is not in
// TCP's pseudo-header, so no BPF_F_PSEUDO_HDR; the TTL is in no TCP checksum at all.
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define TTL_OFF (IP_OFF + offsetof(struct iphdr, ttl))       // TTL and protocol share a 16-bit word
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))
#define TCP_OFF (IP_OFF + sizeof(struct iphdr))              // an IPv4 header without options
#define DPORT_OFF (TCP_OFF + offsetof(struct tcphdr, dest))
#define TCP_CSUM_OFF (TCP_OFF + offsetof(struct tcphdr, check))

SEC("tc")
int lesson12(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + IP_OFF;
	struct tcphdr *tcp = data + TCP_OFF;

	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	if (tcp->dest != bpf_htons(80))
		return TC_ACT_OK;

	__u16 old_word = *(__u16 *)&ip->ttl;
	__u8 ttl = ip->ttl - 1;
	__u16 new_word = old_word;
	__be16 old_port = tcp->dest, new_port = bpf_htons(8080);

	*(__u8 *)&new_word = ttl;  // the word's first byte (in memory order) is the TTL
	// From here on the packet changes: data, ip and tcp must not be used again.
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_word, new_word, sizeof(new_word));
	bpf_skb_store_bytes(skb, TTL_OFF, &ttl, sizeof(ttl), 0);
	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_port, new_port, sizeof(new_port));
	bpf_skb_store_bytes(skb, DPORT_OFF, &new_port, sizeof(new_port), 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
