#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
struct sock { int sk_err; } __attribute__((preserve_access_index));
struct sk_buff { struct sock *sk; } __attribute__((preserve_access_index));
// Refused: skb->sk is RCU-safe but may be NULL (BTF_TYPE_SAFE_RCU_OR_NULL): read without a check.
SEC("tp_btf/tcp_probe") int BPF_PROG(prog, struct sock *sk, struct sk_buff *skb) {
  return skb->sk->sk_err;
}
