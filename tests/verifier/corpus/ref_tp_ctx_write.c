#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: a tracepoint's record is read-only.
SEC("tracepoint/syscalls/sys_enter_openat") int prog(void *ctx) {
    *(volatile __u64 *)(ctx + 16) = 0;
    return 0;
}
