#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: bpf_l3_csum_replace may move the packet (it can unclone the skb); the old pointer is gone.
SEC("tc") int prog(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    if (data + 40 > end)
        return 0;
    bpf_l3_csum_replace(skb, 24, 0, 0, 2);
    return *(volatile __u8 *)data;
}
