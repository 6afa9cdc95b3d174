// Programs the kernel's verifier refuses, for tests/run/ct_kfuncs_test.cpp: bpfplay stops each
// run where the verifier would have refused the program, with its words (recorded on this
// machine's 6.18 kernel, one program per object: build with -DONLY=<n> to load one there).
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/ct_refused.c -o tests/run/bpf/ct_refused.o
#include "ct_defs.h"
#include <bpf/bpf_endian.h>

#ifndef ONLY
#define ONLY 0
#endif
#define WANT(n) (ONLY == 0 || ONLY == (n))

static __always_inline struct nf_conn___init *alloc_one(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts___local o = {};

	t.ipv4.saddr = bpf_htonl(0x0a000001);
	t.ipv4.daddr = bpf_htonl(0x0a000002);
	t.ipv4.sport = bpf_htons(42000);
	t.ipv4.dport = bpf_htons(80);
	o.netns_id = -1;
	o.l4proto = 6;
	return bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
}

#if WANT(1)
// The new entry is neither inserted nor given back.
SEC("xdp")
int ct_leak(struct xdp_md *ctx)
{
	struct nf_conn___init *ni = alloc_one(ctx);

	return ni ? XDP_DROP : XDP_PASS;
}
#endif

#if WANT(2)
// bpf_ct_release takes a struct nf_conn, not the nf_conn___init an alloc returns.
SEC("xdp")
int ct_release_init(struct xdp_md *ctx)
{
	struct nf_conn___init *ni = alloc_one(ctx);

	if (ni)
		bpf_ct_release((struct nf_conn *)ni);
	return XDP_PASS;
}
#endif

#if WANT(3)
// bpf_ct_set_timeout takes the nf_conn___init before insertion, not the inserted nf_conn.
SEC("xdp")
int ct_set_after_insert(struct xdp_md *ctx)
{
	struct nf_conn___init *ni = alloc_one(ctx);

	if (!ni)
		return XDP_PASS;
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (!ct)
		return XDP_PASS;
	bpf_ct_set_timeout((struct nf_conn___init *)ct, 1000);
	bpf_ct_release(ct);
	return XDP_PASS;
}
#endif

#if WANT(4)
// A reference given back twice.
SEC("xdp")
int ct_double_release(struct xdp_md *ctx)
{
	struct nf_conn___init *ni = alloc_one(ctx);

	if (!ni)
		return XDP_PASS;
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (!ct)
		return XDP_PASS;
	bpf_ct_release(ct);
	bpf_ct_release(ct);
	return XDP_PASS;
}
#endif



#if WANT(5)
// Only nf_conn's mark may be written.
SEC("xdp")
int ct_write_status(struct xdp_md *ctx)
{
	struct nf_conn___init *ni = alloc_one(ctx);

	if (!ni)
		return XDP_PASS;
	ni->ct.status = 8;
	struct nf_conn *ct = bpf_ct_insert_entry(ni);
	if (ct)
		bpf_ct_release(ct);
	return XDP_PASS;
}
#endif
char _license[] SEC("license") = "GPL";
