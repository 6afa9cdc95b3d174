// sk_lookup: a program the kernel runs when a TCP SYN or a UDP datagram looks for its socket,
// before the listening and bound sockets are searched. It may answer with any listener, bound to
// any address and port -- how Cloudflare serves a whole range of ports (or of addresses) from one
// socket per service, where bind() would need a socket per port.
//
// What it teaches:
// - struct bpf_sk_lookup: the connection's family, protocol, addresses and ports (local_port in
//   host byte order, remote_port in network byte order), all read-only; sk is the socket
//   selected so far;
// - a SOCKMAP of the services' listening sockets, filled from user space (the kernel takes fds;
//   bpfplay takes each host socket's cookie): bpf_map_lookup_elem gives a socket reference that
//   must be released;
// - bpf_sk_assign: 0 and the socket is the lookup's answer, or an errno: -ESOCKTNOSUPPORT for a
//   socket that does not listen, -EPROTOTYPE for another protocol, -EAFNOSUPPORT for an IPv4
//   socket and an IPv6 connection, -EEXIST when one is already selected;
// - the verdict: SK_PASS with a selection sends the connection to that socket, SK_PASS without
//   one lets the kernel's own lookup decide, SK_DROP refuses it (a RST for a SYN).
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

// The services' listening sockets, by service number.
struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} services SEC(".maps");

// Which destination ports a service takes: port (host byte order) -> service number.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);
    __type(value, __u32);
} ports SEC(".maps");

enum { STEERED, NOT_OURS, SERVICE_DOWN, REFUSED, NOUTCOMES };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NOUTCOMES);
    __type(key, __u32);
    __type(value, __u64);
} outcomes SEC(".maps");

// The last bpf_sk_assign error (0 when it succeeded), for user space to read.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __s64);
} last_error SEC(".maps");

static void count(__u32 outcome) {
    __u64 *n = bpf_map_lookup_elem(&outcomes, &outcome);
    if (n) __sync_fetch_and_add(n, 1);
}

SEC("sk_lookup")
int dispatch(struct bpf_sk_lookup *ctx) {
    if (ctx->protocol != IPPROTO_TCP) {
        count(NOT_OURS);
        return SK_PASS;
    }
    __u16 port = ctx->local_port;
    __u32 *service = bpf_map_lookup_elem(&ports, &port);
    if (!service) {
        count(NOT_OURS);
        return SK_PASS;  // not a port we steer: the kernel's own lookup decides
    }
    struct bpf_sock *sk = bpf_map_lookup_elem(&services, service);
    if (!sk) {
        count(SERVICE_DOWN);
        return SK_DROP;  // the service is down: refuse rather than reach another socket
    }
    long err = bpf_sk_assign(ctx, sk, 0);
    bpf_sk_release(sk);
    __u32 zero = 0;
    __s64 *last = bpf_map_lookup_elem(&last_error, &zero);
    if (last) *last = err;
    if (err) {
        count(REFUSED);
        return SK_DROP;
    }
    count(STEERED);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
