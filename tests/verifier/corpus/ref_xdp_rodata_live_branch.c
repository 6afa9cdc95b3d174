#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
const volatile __u8 per_cpu = 1;
__u32 slots[4];
// Refused: the same switch set in .rodata makes the unchecked index reachable.
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 i = bpf_get_prandom_u32();
    if (per_cpu)
        slots[i]++;
    return XDP_PASS;
}
