#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: a 4-byte read of a tracepoint record at offset 6 is not aligned to its size.
SEC("tracepoint/syscalls/sys_enter_openat") int prog(void *ctx) {
    return *(volatile __u32 *)(ctx + 6);
}
