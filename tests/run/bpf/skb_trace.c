// Programs for tests/run/skb_trace_test.cpp: tracing programs on kernel functions that take a
// struct sk_buff *, as pwru-style tools write them. The run's packet is that sk_buff (the
// receive path after eth_type_trans: data at the network header; dev_queue_xmit: from the
// Ethernet header). The reference kernel cannot test-run fentry or kprobe programs on a chosen
// packet; the layout is the kernel's (skb->head, data, len, network_header, mac_header, dev).
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/skb_trace.c -o tests/run/bpf/skb_trace.o

#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

// Our own partial views: CO-RE relocates each field to 6.18's offset.
struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned int len;
	__u16 protocol;
	__u16 mac_header;
	__u16 network_header;
	unsigned char *head;
	unsigned char *data;
	struct net_device *dev;
} __attribute__((preserve_access_index));

struct ipv4_header {
	__u8 ver_ihl, tos;
	__u16 tot_len, id, frag_off;
	__u8 ttl, protocol;
	__u16 check;
	__u32 saddr, daddr;
};

// skb->len: the IP datagram's length (the Ethernet header is already pulled).
SEC("fentry/ip_rcv")
int BPF_PROG(ip_rcv_len, struct sk_buff *skb, struct net_device *dev)
{
	return skb->len;
}

// The IP header read where pwru reads it: head + network_header, through bpf_probe_read_kernel.
SEC("fentry/ip_rcv")
int BPF_PROG(ip_rcv_protocol, struct sk_buff *skb)
{
	struct ipv4_header iph = {};

	if (bpf_probe_read_kernel(&iph, sizeof(iph), skb->head + skb->network_header))
		return -1;
	return iph.protocol;
}

// data sits at the network header, the Ethernet header 14 bytes before it; protocol is the
// EtherType as the frame had it (big-endian); the device is the host's ingress device.
SEC("fentry/ip_rcv")
int BPF_PROG(ip_rcv_layout, struct sk_buff *skb)
{
	int ok = skb->data - skb->head == skb->network_header;

	ok &= skb->network_header - skb->mac_header == 14;
	ok &= skb->protocol == __builtin_bswap16(0x0800);
	ok &= skb->dev->ifindex == 1;
	return ok;
}

// The same through pt_regs: the first argument in di.
SEC("kprobe/ip_rcv")
int BPF_KPROBE(kprobe_ip_rcv, struct sk_buff *skb)
{
	return BPF_CORE_READ(skb, len);
}

// The transmit side: dev_queue_xmit holds the frame from its Ethernet header.
SEC("fentry/dev_queue_xmit")
int BPF_PROG(xmit_len, struct sk_buff *skb)
{
	return skb->len * 100 + (skb->data == skb->head + skb->mac_header);
}

char LICENSE[] SEC("license") = "GPL";
