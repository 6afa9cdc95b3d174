#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
struct sock { int sk_err; } __attribute__((preserve_access_index));
struct sk_buff { struct sock *sk; } __attribute__((preserve_access_index));
// Refused: skb->sk is rcu_ptr_or_null_ (BTF_TYPE_SAFE_RCU_OR_NULL), which bpf_get_socket_cookie's
// ARG_PTR_TO_BTF_ID_SOCK_COMMON does not list, NULL-checked or not.
SEC("tp_btf/tcp_probe") int BPF_PROG(prog, struct sock *sk, struct sk_buff *skb) {
  struct sock *s = skb->sk;
  return s ? bpf_get_socket_cookie(s) & 1 : 0;
}
