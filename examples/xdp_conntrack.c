// A conntrack-aware XDP filter: each IPv4 TCP or UDP packet's flow is looked up in the kernel's
// connection tracking table with the bpf_xdp_ct_lookup kfunc. A known flow passes (its entry's
// status bits are counted: ASSURED, SEEN_REPLY). An unknown one is added -- bpf_xdp_ct_alloc,
// bpf_ct_set_timeout, bpf_ct_set_status, bpf_ct_insert_entry -- when it may start a connection
// (a TCP SYN, any UDP datagram), and dropped otherwise (a TCP segment of no known connection).
// A packet that ends its flow -- a TCP FIN or RST, a DNS answer (UDP from port 53) -- expires
// the entry at once with bpf_ct_change_timeout(ct, 0): the next lookup of that flow collects it.
//
// What it teaches:
//   - kfuncs with references: the struct nf_conn a lookup returns, and the nf_conn___init an
//     allocation returns, must go back (bpf_ct_release, bpf_ct_insert_entry) on every path,
//     or the verifier refuses the program ("Unreleased reference");
//   - struct bpf_ct_opts: opts->error says why a lookup found nothing (-ENOENT: no entry),
//     opts->dir in which direction the packet's tuple matched (1: a reply);
//   - reading kernel memory directly: ct->status is a field of the kernel's struct nf_conn,
//     its offset relocated by CO-RE (preserve_access_index);
//   - the table outlives a run: in bpfplay the host's "conntrack" list, to which the insert
//     adds (see the host events), and which the next packet of the flow finds.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// The kfuncs' option block (its 16-byte layout since Linux 6.10).
struct bpf_ct_opts___local {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
} __attribute__((preserve_access_index));

// The one field of the kernel's struct nf_conn this program reads.
struct nf_conn {
	unsigned long status;
} __attribute__((preserve_access_index));
struct nf_conn___init {
	struct nf_conn ct;
} __attribute__((preserve_access_index));

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *, __u32,
					 struct bpf_ct_opts___local *, __u32) __ksym;
extern struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *, struct bpf_sock_tuple *, __u32,
					       struct bpf_ct_opts___local *, __u32) __ksym;
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *) __ksym;
extern void bpf_ct_release(struct nf_conn *) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *, __u32) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *, __u32) __ksym;
extern int bpf_ct_set_status(const struct nf_conn___init *, __u32) __ksym;

#define IPS_SEEN_REPLY 0x2
#define IPS_ASSURED 0x4

enum counter {
	KNOWN,       // found in the table
	KNOWN_REPLY, // ...by the reply tuple (opts.dir == 1)
	ASSURED,     // ...with IPS_ASSURED set
	INSERTED,    // a new flow added
	INSERT_FAILED,
	DROPPED,     // TCP without SYN and no entry
	CLOSED,      // a known flow's FIN, RST or DNS answer: its entry expired
	LAST_ERROR,  // the last lookup's opts.error (negative)
	LAST_STATUS, // the last entry's status
	NCOUNTERS,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NCOUNTERS);
	__type(key, __u32);
	__type(value, __s64);
} stats SEC(".maps");

static void count(__u32 which, __s64 add)
{
	__s64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += add;
}

static void set(__u32 which, __s64 value)
{
	bpf_map_update_elem(&stats, &which, &value, BPF_ANY);
}

SEC("xdp")
int xdp_conntrack(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpf_sock_tuple tuple = {};
	struct bpf_ct_opts___local opts = {};
	int may_start = 0, ends = 0;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return XDP_PASS;
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		tuple.ipv4.sport = tcp->source;
		tuple.ipv4.dport = tcp->dest;
		may_start = tcp->syn && !tcp->ack;
		ends = tcp->fin || tcp->rst;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		tuple.ipv4.sport = udp->source;
		tuple.ipv4.dport = udp->dest;
		may_start = 1;
		ends = udp->source == bpf_htons(53);
	} else {
		return XDP_PASS;
	}

	opts.netns_id = -1; // BPF_F_CURRENT_NETNS: the namespace of the receiving device
	opts.l4proto = ip->protocol;
	struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &tuple, sizeof(tuple.ipv4), &opts, sizeof(opts));
	if (ct) {
		count(KNOWN, 1);
		if (opts.dir == 1)
			count(KNOWN_REPLY, 1);
		if (ct->status & IPS_ASSURED)
			count(ASSURED, 1);
		set(LAST_STATUS, ct->status);
		if (ends && bpf_ct_change_timeout(ct, 0) == 0)
			count(CLOSED, 1);
		bpf_ct_release(ct);
		return XDP_PASS;
	}
	set(LAST_ERROR, opts.error);
	if (!may_start) {
		count(DROPPED, 1);
		return XDP_DROP;
	}

	struct bpf_ct_opts___local new_opts = {};
	new_opts.netns_id = -1;
	new_opts.l4proto = ip->protocol;
	struct nf_conn___init *nct = bpf_xdp_ct_alloc(ctx, &tuple, sizeof(tuple.ipv4), &new_opts, sizeof(new_opts));
	if (!nct) {
		count(INSERT_FAILED, 1);
		return XDP_PASS;
	}
	bpf_ct_set_timeout(nct, 30000); // ms, until the entry expires
	bpf_ct_set_status(nct, IPS_SEEN_REPLY);
	ct = bpf_ct_insert_entry(nct); // gives nct back, even when it fails
	if (!ct) {
		count(INSERT_FAILED, 1);
		return XDP_PASS;
	}
	count(INSERTED, 1);
	set(LAST_STATUS, ct->status);
	bpf_ct_release(ct);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
