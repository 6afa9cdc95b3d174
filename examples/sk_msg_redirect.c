// sk_msg: a program that runs on every sendmsg() of the sockets in a sockhash and decides where
// the bytes go -- the socket-level shortcut service meshes (Cilium, Istio's ambient mode) use to
// skip the TCP/IP stack between two sockets on one host.
//
// What it teaches:
// - SOCKHASH: sockets by key (here the peer's port), filled from user space with sockets (the
//   kernel takes fds; bpfplay takes each host socket's cookie);
// - struct sk_msg_md: the message as data..data_end (read as whole 8-byte pointers), its size,
//   and the socket it is sent on (remote_port is big-endian in the upper 16 bits: bpf_ntohl);
// - bpf_msg_redirect_hash: SK_PASS and the target socket, or SK_DROP for a missing key -- the
//   program's return value then decides: SK_PASS sends (or redirects) the message, SK_DROP makes
//   the sender's sendmsg() fail with -EACCES;
// - BPF_F_INGRESS: the message lands on the target's receive queue, as if its peer had sent it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 8);
    __type(key, __u32);    // a peer's port
    __type(value, __u64);  // the local socket that is that peer
} by_port SEC(".maps");

enum { SENT, REDIRECTED, DROPPED, NVERDICTS };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NVERDICTS);
    __type(key, __u32);
    __type(value, __u64);
} verdicts SEC(".maps");

static void count(__u32 verdict) {
    __u64 *n = bpf_map_lookup_elem(&verdicts, &verdict);
    if (n) __sync_fetch_and_add(n, 1);
}

SEC("sk_msg")
int redirect_by_port(struct sk_msg_md *msg) {
    char *data = msg->data, *data_end = msg->data_end;
    // A message that starts with "DROP" is refused: the sender's sendmsg() fails.
    if (data + 4 <= data_end && data[0] == 'D' && data[1] == 'R' && data[2] == 'O' && data[3] == 'P') {
        count(DROPPED);
        return SK_DROP;
    }
    // The peer is a socket of this host: hand it the bytes directly, onto its receive queue.
    __u32 port = bpf_ntohl(msg->remote_port);
    if (bpf_msg_redirect_hash(msg, &by_port, &port, BPF_F_INGRESS) == SK_PASS) {
        count(REDIRECTED);
        return SK_PASS;
    }
    // No socket for that peer: the message goes out through TCP as usual.
    count(SENT);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
