// A device-bound XDP program reading the rx metadata kfuncs, for tests/run/ct_kfuncs_test.cpp.
// The reference kernel cannot test-run it (it refuses the load unbound, the binding to lo, and
// BPF_PROG_TEST_RUN of a program bound to a veth device), so the test follows net/core/xdp.c
// and veth's answers. Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/xdp_rx_meta.c -o tests/run/bpf/xdp_rx_meta.o
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };

extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash, enum xdp_rss_hash_type *rss_type) __ksym;
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, __u16 *vlan_tci) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

static void put(__u32 k, __s64 v)
{
	bpf_map_update_elem(&out, &k, &v, 0);
}

SEC("xdp")
int rx_meta(struct xdp_md *ctx)
{
	__u64 ts = 99;
	__u32 hash = 99;
	enum xdp_rss_hash_type type = 99;
	__be16 proto = 99;
	__u16 tci = 99;

	put(0, bpf_xdp_metadata_rx_timestamp(ctx, &ts));
	put(1, bpf_xdp_metadata_rx_hash(ctx, &hash, &type));
	put(2, bpf_xdp_metadata_rx_vlan_tag(ctx, &proto, &tci));
	put(3, ts);
	put(4, hash);
	put(5, type);
	put(6, proto);
	put(7, tci);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
