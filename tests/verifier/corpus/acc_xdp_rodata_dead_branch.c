#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
const volatile __u8 per_cpu = 0;
const volatile __s8 shift = -2;
__u32 slots[4];
// Accepted: as bcc's runqlen, a `const volatile` switch in .rodata is known to the verifier (the
// map is frozen before the program loads), so the branch it rules out, which would index past
// the array, is never walked; a sign-extending read of a known byte is a known number.
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 i = bpf_get_prandom_u32();
    if (per_cpu)
        slots[i]++;
    if (shift > 0)
        slots[i]++;
    return XDP_PASS;
}
