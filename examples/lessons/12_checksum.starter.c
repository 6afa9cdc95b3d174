// Lesson 12: rewriting a packet, and its checksums. The IPv4 header carries a checksum of its
// own 16-bit words, TCP one over its header, data and the addresses: change a byte and the
// receiver drops the packet unless the checksum changes with it. Nothing needs recomputing
// from scratch: the sum changes by exactly (new word - old word), which is what RFC 1624's
// incremental update and the kernel's helpers do. In a TC program (struct __sk_buff):
//   bpf_l3_csum_replace(skb, offset_of_the_ip_checksum, old, new, 2)  (16-bit old/new words)
//   bpf_l4_csum_replace(skb, offset_of_the_tcp_checksum, old, new, 2)
//   bpf_skb_store_bytes(skb, offset, &new_bytes, len, 0)                (write the bytes)
// Helpers that change the packet invalidate pointers into it: read what you need first.
// Task: for IPv4 TCP packets to port 80, send them to port 8080 instead and decrement the TTL,
// keeping both checksums right. Return TC_ACT_OK (0) for every packet.
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

	// __u16 old_word = *(__u16 *)&ip->ttl, new_word: the same word with ttl - 1
	// __be16 old_port = tcp->dest, new_port = bpf_htons(8080);
	// bpf_l3_csum_replace + bpf_skb_store_bytes for the TTL, bpf_l4_csum_replace +
	// bpf_skb_store_bytes for the port
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
