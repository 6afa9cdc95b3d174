#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: tracing programs' bpf_get_socket_cookie takes a kernel socket (bpf_get_socket_ptr_cookie_proto): tcp_probe(struct sock *sk, const struct sk_buff *skb) hands a trusted struct sock.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = *(u64 *)(r1 + 0); call 46; r0 = 0; exit;"); }
