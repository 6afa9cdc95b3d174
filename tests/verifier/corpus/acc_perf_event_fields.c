#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: sample_period and addr may be read narrowly, at any aligned offset inside them
// (bpf_ctx_narrow_access_ok); the saved registers as whole u64.
SEC("perf_event") int prog(void *ctx) {
    __u32 hi = *(volatile __u32 *)(ctx + 172);  // sample_period's upper half
    __u8 b = *(volatile __u8 *)(ctx + 177);      // a byte of addr
    __u64 ip = *(volatile __u64 *)(ctx + 128);   // regs.ip
    return (hi + b + ip) != 0;
}
