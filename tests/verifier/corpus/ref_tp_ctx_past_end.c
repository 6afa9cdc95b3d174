#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: offset 8192 is PERF_MAX_TRACE_SIZE (Linux 6.10+), past any tracepoint record (tp_prog_is_valid_access).
SEC("tracepoint/syscalls/sys_enter_openat") int prog(void *ctx) {
    return *(volatile __u8 *)(ctx + 8192);
}
