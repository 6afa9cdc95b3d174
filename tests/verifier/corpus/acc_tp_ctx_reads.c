#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a tracepoint's record is read at any aligned offset from 8 (after the common_*
// header) to below PERF_MAX_TRACE_SIZE (8192 since Linux 6.10), in any width; the verifier does
// not know the record's real size.
SEC("tracepoint/syscalls/sys_enter_openat") int prog(void *ctx) {
    __u64 a = *(volatile __u64 *)(ctx + 16);
    __u32 b = *(volatile __u32 *)(ctx + 8);
    __u16 c = *(volatile __u16 *)(ctx + 10);
    __u8 d = *(volatile __u8 *)(ctx + 8191);
    return (a + b + c + d) != 0;
}
