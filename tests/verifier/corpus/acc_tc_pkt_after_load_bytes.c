#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: bpf_skb_load_bytes only reads the packet, so packet pointers stay valid.
SEC("tc") int prog(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    __u8 b[2];
    if (data + 4 > end)
        return 0;
    bpf_skb_load_bytes(skb, 0, b, 2);
    return *(volatile __u8 *)data + b[1];
}
