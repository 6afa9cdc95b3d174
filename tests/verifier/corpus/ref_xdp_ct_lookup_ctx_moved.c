#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct bpf_ct_opts___local { __s32 netns_id; __s32 error; __u8 l4proto; __u8 dir; __u16 ct_zone_id; __u8 ct_zone_dir; __u8 reserved[3]; };
struct nf_conn { unsigned long status; } __attribute__((preserve_access_index));
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts___local *, __u32) __ksym;
extern void bpf_ct_release(struct nf_conn *) __ksym;
// Refused: the context pointer moved by 4 bytes is no longer the context the kfunc takes.
SEC("xdp") int prog(struct xdp_md *ctx) {
  struct bpf_sock_tuple tuple = {};
  struct bpf_ct_opts___local opts = {.netns_id = -1, .l4proto = 6};
  struct nf_conn *ct = bpf_xdp_ct_lookup((struct xdp_md *)((char *)ctx + 4), &tuple, sizeof(tuple.ipv4), &opts, sizeof(opts));
  if (!ct) return XDP_PASS;
  bpf_ct_release(ct);
  return XDP_DROP;
}
