#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: a TC program reads 34 bytes after checking 14.
SEC("tc") int prog(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return TC_ACT_OK;
  struct iphdr *ip = (void *)(eth + 1);
  return ip->protocol == 6 ? TC_ACT_SHOT : TC_ACT_OK;
}
