#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: struct bpf_perf_event_data is 184 bytes on x86-64.
SEC("perf_event") int prog(void *ctx) {
    return *(volatile __u64 *)(ctx + 184) != 0;
}
