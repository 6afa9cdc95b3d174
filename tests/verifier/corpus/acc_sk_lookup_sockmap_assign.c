#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");
// Accepted: a sockmap lookup gives map_value_or_null holding a reference, a socket once checked; bpf_sk_assign takes it, bpf_sk_release drops it.
SEC("sk_lookup") int prog(struct bpf_sk_lookup *ctx) {
	__u32 k = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &k);
	if (!sk)
		return SK_DROP;
	long err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return err ? SK_DROP : SK_PASS;
}
