#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: a saved register of a perf event's context is read as a whole long only.
SEC("perf_event") int prog(void *ctx) {
    return *(volatile __u32 *)(ctx + 128) != 0;
}
