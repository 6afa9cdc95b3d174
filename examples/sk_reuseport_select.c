// sk_reuseport: a program the kernel runs when a datagram (or a SYN) reaches a port that several
// SO_REUSEPORT sockets share, to pick which of them gets it -- how a UDP server with one socket
// per worker thread (a QUIC server, a DNS server) keeps each client's datagrams on one worker.
//
// What it teaches:
// - struct sk_reuseport_md: data..data_end start at the UDP (or TCP) header, not the Ethernet
//   or IP header; ip_protocol is the group's protocol; everything is read-only;
// - REUSEPORT_SOCKARRAY: the group's sockets by index, filled from user space (the kernel takes
//   fds; bpfplay takes each host socket's cookie);
// - bpf_sk_select_reuseport: 0 and the chosen socket, or an errno: -ENOENT for an empty index,
//   -EPROTOTYPE / -EAFNOSUPPORT / -EBADFD for a socket of another group;
// - the verdict: SK_PASS with a selection sends the datagram to that socket, SK_PASS without one
//   lets the kernel pick by the four-tuple's hash, SK_DROP refuses it.
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);  // a worker's socket
} workers SEC(".maps");

enum { SELECTED, BY_HASH, DROPPED, NOUTCOMES };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NOUTCOMES);
    __type(key, __u32);
    __type(value, __u64);
} outcomes SEC(".maps");

static void count(__u32 outcome) {
    __u64 *n = bpf_map_lookup_elem(&outcomes, &outcome);
    if (n) __sync_fetch_and_add(n, 1);
}

SEC("sk_reuseport")
int steer_by_worker_id(struct sk_reuseport_md *ctx) {
    __u8 *data = ctx->data, *data_end = ctx->data_end;
    // TCP connections are left to the kernel's hash.
    if (ctx->ip_protocol != IPPROTO_UDP) return SK_PASS;
    // The UDP header is 8 bytes; the payload's first byte names the worker (as a QUIC server
    // puts a worker id in the connection ids it hands out). An empty datagram is refused.
    if (data + 9 > data_end) {
        count(DROPPED);
        return SK_DROP;
    }
    __u32 worker = data[8] & 3;
    if (bpf_sk_select_reuseport(ctx, &workers, &worker, 0) != 0) {
        // No socket for that worker (-ENOENT): the kernel's hash picks one of the group.
        count(BY_HASH);
        return SK_PASS;
    }
    count(SELECTED);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
