// Programs for tests/run/ct_kfuncs_test.cpp. ct_errors and ct_fields ran on this machine's 6.18
// kernel (BPF_PROG_TEST_RUN through tests/kernel/kernel_run.c on an empty conntrack table);
// the test asserts the same slots. Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/ct_kfuncs.c -o tests/run/bpf/ct_kfuncs.o
#include "ct_defs.h"
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

static void put(__u32 k, __s64 v)
{
	bpf_map_update_elem(&out, &k, &v, 0);
}

static __always_inline void flow(struct bpf_sock_tuple *t, __u16 sport)
{
	t->ipv4.saddr = bpf_htonl(0x0a000001);
	t->ipv4.daddr = bpf_htonl(0x0a000002);
	t->ipv4.sport = bpf_htons(sport);
	t->ipv4.dport = bpf_htons(80);
}

// opts->error of one lookup (77 stays when it is not written), 1000 when found.
static __always_inline int lookup_err(struct xdp_md *ctx, struct bpf_sock_tuple *t, __u32 tsz, __u8 proto,
				 int netns, __u32 osz, __u16 zone, __u8 reserved)
{
	struct bpf_ct_opts___local o = {};

	o.netns_id = netns;
	o.l4proto = proto;
	o.ct_zone_id = zone;
	o.reserved[1] = reserved;
	o.error = 77;
	struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, t, tsz, &o, osz);
	if (ct) {
		bpf_ct_release(ct);
		return 1000;
	}
	return o.error;
}

SEC("xdp")
int ct_errors(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};

	flow(&t, 40000);
	put(0, lookup_err(ctx, &t, sizeof(t.ipv4), 6, -1, 16, 0, 0));  // missing: -ENOENT
	put(1, lookup_err(ctx, &t, sizeof(t.ipv4), 6, -1, 12, 0, 0));  // the 12-byte opts
	put(2, lookup_err(ctx, &t, sizeof(t.ipv4), 6, -1, 8, 0, 0));   // -EINVAL
	put(3, lookup_err(ctx, &t, sizeof(t.ipv4), 1, -1, 16, 0, 0));  // ICMP: -EPROTO
	put(4, lookup_err(ctx, &t, 20, 6, -1, 16, 0, 0));              // -EAFNOSUPPORT
	put(5, lookup_err(ctx, &t, sizeof(t.ipv4), 6, -2, 16, 0, 0));  // -EINVAL
	put(6, lookup_err(ctx, &t, sizeof(t.ipv4), 6, 0, 16, 0, 0));   // -ENONET
	put(7, lookup_err(ctx, &t, sizeof(t.ipv4), 6, -1, 12, 5, 0));  // a zone in old opts: -EINVAL
	put(8, lookup_err(ctx, &t, sizeof(t.ipv6), 17, -1, 16, 0, 0)); // IPv6 UDP: -ENOENT
	put(20, lookup_err(ctx, &t, sizeof(t.ipv4), 6, -1, 16, 0, 1)); // reserved[1]: -EINVAL

	struct bpf_ct_opts___local o = {};
	o.netns_id = -1;
	o.l4proto = 6;
	struct nf_conn___init *ni = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, 16);
	if (!ni) {
		put(9, o.error);
		return XDP_PASS;
	}
	put(9, 0);
	put(10, o.ct_zone_dir);                        // 0 became NF_CT_DEFAULT_ZONE_DIR
	put(11, bpf_ct_set_status(ni, IPS_SEEN_REPLY)); // 0
	put(12, bpf_ct_set_status(ni, IPS_EXPECTED));   // -EBUSY
	put(13, bpf_ct_set_status(ni, 0));              // clearing SEEN_REPLY: -EBUSY
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (!ct) {
		put(14, -1);
		return XDP_PASS;
	}
	put(14, 1);
	put(15, bpf_ct_change_status(ct, IPS_ASSURED | IPS_SEEN_REPLY)); // without CONFIRMED: -EBUSY
	put(16, bpf_ct_change_timeout(ct, 5000));
	put(21, bpf_ct_change_status(ct, IPS_CONFIRMED | IPS_ASSURED | IPS_SEEN_REPLY)); // 0
	put(22, ct->status);
	bpf_ct_release(ct);

	struct bpf_sock_tuple r = {};
	r.ipv4.saddr = t.ipv4.daddr;
	r.ipv4.daddr = t.ipv4.saddr;
	r.ipv4.sport = t.ipv4.dport;
	r.ipv4.dport = t.ipv4.sport;
	struct bpf_ct_opts___local o2 = {};
	o2.netns_id = -1;
	o2.l4proto = 6;
	o2.error = 77;
	struct nf_conn *c2 = bpf_xdp_ct_lookup(ctx, &r, sizeof(r.ipv4), &o2, 16);
	if (c2) {
		put(17, o2.dir);   // found by the reply tuple: 1
		put(18, o2.error); // not written: 77
		bpf_ct_release(c2);
	} else {
		put(17, -o2.error - 100);
	}
	// The same flow again: in the table already, so the insert fails.
	struct bpf_ct_opts___local o3 = {};
	o3.netns_id = -1;
	o3.l4proto = 6;
	struct nf_conn___init *n2 = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o3, 16);
	if (n2) {
		struct nf_conn *d = bpf_ct_insert_entry(n2);
		put(19, d ? 1 : 0);
		if (d)
			bpf_ct_release(d);
	}
	return XDP_PASS;
}

// A new entry set up before insertion (timeout, status, destination NAT) read back through
// struct nf_conn, then found again by its translated reply tuple.
SEC("xdp")
int ct_fields(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts___local o = {};

	flow(&t, 41000);
	o.netns_id = -1;
	o.l4proto = 6;
	struct nf_conn___init *ni = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, 16);
	if (!ni)
		return XDP_ABORTED;
	put(0, ni->ct.timeout);  // 10 s in jiffies, relative until inserted
	put(1, ni->ct.status);   // 0
	bpf_ct_set_timeout(ni, 5000);
	put(2, ni->ct.timeout);
	put(3, bpf_ct_set_status(ni, IPS_ASSURED | IPS_SEEN_REPLY | 0x10 /* SRC_NAT: unchangeable */));
	put(4, ni->ct.status);
	union nf_inet_addr a = {};
	a.ip = bpf_htonl(0xc0a80107); // 192.168.1.7
	put(5, bpf_ct_set_nat_info(ni, &a, 8080, NF_NAT_MANIP_DST));
	put(6, bpf_ct_set_nat_info(ni, &a, 8080, NF_NAT_MANIP_DST)); // the second time: -ENOMEM
	put(7, ni->ct.status);
	put(8, bpf_ntohl(ni->ct.tuplehash[1].tuple.src.u3.ip));
	put(9, bpf_ntohs(ni->ct.tuplehash[1].tuple.src.u.all));
	put(10, ni->ct.tuplehash[1].tuple.dst.dir);
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (!ct)
		return XDP_DROP;
	put(11, ct->status);
	put(12, (__u32)(ct->timeout - (__u32)bpf_jiffies64())); // what is left: 1250 jiffies
	put(13, ct->mark);
	bpf_ct_release(ct);

	// A reply from the backend: 192.168.1.7:8080 -> 10.0.0.1:41000.
	struct bpf_sock_tuple r = {};
	r.ipv4.saddr = a.ip;
	r.ipv4.daddr = t.ipv4.saddr;
	r.ipv4.sport = bpf_htons(8080);
	r.ipv4.dport = t.ipv4.sport;
	struct bpf_ct_opts___local o2 = {};
	o2.netns_id = -1;
	o2.l4proto = 6;
	struct nf_conn *c2 = bpf_xdp_ct_lookup(ctx, &r, sizeof(r.ipv4), &o2, 16);
	if (!c2) {
		put(14, o2.error);
		return XDP_PASS;
	}
	put(14, o2.dir);
	put(15, bpf_ntohs(c2->tuplehash[0].tuple.src.u.all)); // the original direction's source port
	bpf_ct_release(c2);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// The host's entry 10.0.0.1:40000 -> 10.0.0.2:80 (the test's host JSON): found, read, its
// timeout changed; then a new UDP flow allocated from the same program.
SEC("xdp")
int ct_table(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts___local o = {};

	flow(&t, 40000);
	o.netns_id = -1;
	o.l4proto = 6;
	struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ct) {
		put(0, o.error);
		return XDP_PASS;
	}
	put(0, 1);
	put(1, ct->status);
	put(2, ct->mark);
	put(3, (__u32)(ct->timeout - (__u32)bpf_jiffies64()));
	put(4, ct->zone.id);
	put(5, bpf_ct_change_timeout(ct, 30000));
	put(6, (__u32)(ct->timeout - (__u32)bpf_jiffies64()));
	bpf_ct_release(ct);
	return XDP_PASS;
}

// tc: bpf_skb_ct_alloc and insert in zone 7 (original direction only), then lookups in zone
// 7 and in the default zone.
SEC("tc")
int ct_tc(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts___local o = {};

	t.ipv4.saddr = bpf_htonl(0x0a000001);
	t.ipv4.daddr = bpf_htonl(0x0a000002);
	t.ipv4.sport = bpf_htons(5353);
	t.ipv4.dport = bpf_htons(53);
	o.netns_id = -1;
	o.l4proto = 17;
	o.ct_zone_id = 7;
	o.ct_zone_dir = 1;
	struct nf_conn___init *ni = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ni) {
		put(0, o.error);
		return 2;
	}
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (!ct)
		return 2;
	put(0, ct->zone.id);
	put(1, ct->zone.dir);
	bpf_ct_release(ct);
	struct bpf_ct_opts___local z = {};
	z.netns_id = -1;
	z.l4proto = 17;
	z.ct_zone_id = 7;
	z.ct_zone_dir = 1;
	struct nf_conn *a = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &z, sizeof(z));
	put(2, a ? 1 : z.error);
	if (a)
		bpf_ct_release(a);
	struct bpf_ct_opts___local d = {};
	d.netns_id = -1;
	d.l4proto = 17;
	struct nf_conn *b = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &d, sizeof(d));
	put(3, b ? 1 : d.error);
	if (b)
		bpf_ct_release(b);
	return 0;
}

// nf_conn's mark is the one field a program may write: on the new entry before insertion, and
// on the inserted one; a later lookup reads what was written.
SEC("xdp")
int ct_mark(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts___local o = {};

	flow(&t, 43000);
	o.netns_id = -1;
	o.l4proto = 6;
	struct nf_conn___init *ni = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ni)
		return XDP_ABORTED;
	ni->ct.mark = 0x42;
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (!ct)
		return XDP_DROP;
	put(0, ct->mark);
	ct->mark = 0x4243;
	bpf_ct_release(ct);
	struct bpf_ct_opts___local o2 = {};
	o2.netns_id = -1;
	o2.l4proto = 6;
	struct nf_conn *c2 = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &o2, sizeof(o2));
	if (!c2)
		return XDP_DROP;
	put(1, c2->mark);
	bpf_ct_release(c2);
	return XDP_PASS;
}
