#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: bpf_sk_release gives back a reference, and bpf_get_listener_sock's socket holds none
// (only the socket bpf_sk_lookup_tcp found does).
SEC("tc") NAKED int prog(struct __sk_buff *skb) {
    asm volatile("r2 = 0; *(u64 *)(r10 - 16) = r2; *(u32 *)(r10 - 8) = r2; r2 = r10; r2 += -16;"
                 "r3 = 12; r4 = 0; r5 = 0; call 84; if r0 == 0 goto +8;"
                 "r6 = r0; r1 = r0; call 98; if r0 == 0 goto +2; r1 = r0; call 86;"
                 "r1 = r6; call 86; r0 = 0; exit;");
}
