// tc_gre_tunnel.c -- a GRE tunnel endpoint in tc: encapsulating with bpf_skb_adjust_room and
// decapsulating again, plus a VLAN tag on the way out.
//
// Teaches: bpf_skb_adjust_room(skb, n, BPF_ADJ_ROOM_MAC, flags) inserts n zeroed bytes right
// after the Ethernet header (or removes them, n < 0); the ENCAP flags tell the kernel what the new
// bytes will hold (an outer IPv4 header and GRE here), the DECAP flags what goes. The program
// writes the new headers with bpf_skb_store_bytes, the outer header's checksum from
// bpf_csum_diff. Then bpf_skb_vlan_push tags the result: the tag goes into skb->vlan_* (the
// kernel adds it when sending), not into the bytes. skb->len and skb->protocol follow every call.
//
// Try: UDP from 10.0.0.1 (encapsulated toward 172.16.0.2, VLAN 10), a GRE packet from the tunnel
// (the outer headers removed), ARP (left alone). cb[0] shows skb->len after the change, cb[1] the
// VLAN id.

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV4
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7) // Linux 6.3, newer than these headers
#endif

#define TUNNEL_LOCAL 0x010010ac  // 172.16.0.1
#define TUNNEL_REMOTE 0x020010ac // 172.16.0.2
#define VLAN_ID 10

struct gre_hdr {
	__be16 flags;
	__be16 protocol;
};

struct outer_hdrs {
	struct iphdr ip;
	struct gre_hdr gre;
};

static __always_inline int encap(struct __sk_buff *skb, struct iphdr *inner)
{
	struct outer_hdrs h = {};
	h.ip.version = 4;
	h.ip.ihl = 5;
	h.ip.ttl = 64;
	h.ip.protocol = IPPROTO_GRE;
	h.ip.tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(h));
	h.ip.saddr = TUNNEL_LOCAL;
	h.ip.daddr = TUNNEL_REMOTE;
	h.ip.check = ~(__u16)bpf_csum_diff(0, 0, (__be32 *)&h.ip, sizeof(h.ip), 0);
	h.gre.protocol = bpf_htons(ETH_P_IP);

	if (bpf_skb_adjust_room(skb, sizeof(h), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_GRE))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, ETH_HLEN, &h, sizeof(h), 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int tc_gre_tunnel(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	int ret;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return TC_ACT_OK;

	if (ip->protocol == IPPROTO_GRE && ip->saddr == TUNNEL_REMOTE) {
		// From the tunnel: the outer IPv4 and GRE headers go.
		if (bpf_skb_adjust_room(skb, -(int)sizeof(struct outer_hdrs), BPF_ADJ_ROOM_MAC,
					BPF_F_ADJ_ROOM_DECAP_L3_IPV4))
			return TC_ACT_SHOT;
		skb->cb[0] = skb->len;
		return TC_ACT_OK;
	}

	ret = encap(skb, ip);
	if (ret != TC_ACT_OK)
		return ret;
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VLAN_ID))
		return TC_ACT_SHOT;
	skb->cb[0] = skb->len;
	skb->cb[1] = skb->vlan_present ? skb->vlan_tci : 0;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
