#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
// Refused: a legacy packet load while holding a socket reference (the kernel's
// check_resource_leak; the load may end the program).
SEC("tc") int prog(struct __sk_buff *skb) {
  struct bpf_sock_tuple t = {};
  struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
  if (!sk) return TC_ACT_OK;
  int b = load_byte(skb, 12);
  bpf_sk_release(sk);
  return b;
}
