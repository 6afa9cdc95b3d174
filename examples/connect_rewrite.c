// SPDX-License-Identifier: GPL-2.0
// A connect rewriter, as a service mesh or kube-proxy replacement does it at the socket: a
// connect() to a service's virtual address goes straight to one of its backends, rewritten in
// the sockaddr before the kernel sees it (no NAT on the packets). Connections to port 25 (SMTP)
// are refused with -EACCES instead of the default -EPERM.
//
// What it teaches: SEC("cgroup/connect4") and struct bpf_sock_addr (user_ip4 and user_port in
// network byte order, written whole), a HASH keyed by address and port, bpf_set_retval, and
// the verdict (1 lets the connect go on, 0 refuses it).
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define EACCES 13

struct endpoint {
	__u32 ip;    // network byte order
	__u32 port;  // network byte order, in the low 16 bits (as user_port holds it)
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct endpoint);    // the service's virtual address
	__type(value, struct endpoint);  // its backend
} services SEC(".maps");

// How many connects were rewritten.
__u64 rewritten = 0;

SEC("cgroup/connect4")
int connect_rewrite(struct bpf_sock_addr *ctx)
{
	struct endpoint key = {.ip = ctx->user_ip4, .port = ctx->user_port};
	struct endpoint *backend;

	if (ctx->user_port == bpf_htons(25)) {
		bpf_set_retval(-EACCES);
		return 0;
	}
	backend = bpf_map_lookup_elem(&services, &key);
	if (!backend)
		return 1;
	ctx->user_ip4 = backend->ip;
	ctx->user_port = backend->port;
	__sync_fetch_and_add(&rewritten, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
