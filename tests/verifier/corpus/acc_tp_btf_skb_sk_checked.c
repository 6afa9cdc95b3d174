#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
struct sock { int sk_err; } __attribute__((preserve_access_index));
struct sk_buff { struct sock *sk; } __attribute__((preserve_access_index));
// Accepted: skb->sk (RCU-safe, maybe NULL) read after a NULL check.
SEC("tp_btf/tcp_probe") int BPF_PROG(prog, struct sock *sk, struct sk_buff *skb) {
  struct sock *s = skb->sk;
  return s ? s->sk_err : 0;
}
