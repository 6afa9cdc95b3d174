#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
__u32 slots[25];
// Refused: as bcc's cpufreq, a 32-bit quotient bounded by a 32-bit compare indexes an array; the
// kernel knows nothing of a division's result, not even that a 32-bit one has zero upper bits.
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 x = bpf_get_prandom_u32();
    if (!x) return 0;
    __u64 slot = x / 200;
    if (slot >= 25) slot = 24;
    __sync_fetch_and_add(&slots[slot], 1);
    return XDP_PASS;
}
