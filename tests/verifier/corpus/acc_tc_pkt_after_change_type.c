#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: bpf_skb_change_type changes the packet type, not its data: pointers stay valid.
SEC("tc") int prog(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    if (data + 4 > end)
        return 0;
    bpf_skb_change_type(skb, 0);
    return *(volatile __u8 *)data;
}
