#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: bpf_skb_store_bytes may move the packet; data_end read before it is a number now.
SEC("tc") int prog(struct __sk_buff *skb) {
    void *end = (void *)(long)skb->data_end;
    __u8 b = 1;
    bpf_skb_store_bytes(skb, 0, &b, 1, 0);
    void *data = (void *)(long)skb->data;
    if (data + 4 > end)
        return 0;
    return *(volatile __u8 *)data;
}
