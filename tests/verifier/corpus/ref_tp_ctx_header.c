#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: the first 8 bytes of a tracepoint record (common_type, common_flags,
// common_preempt_count, common_pid) are not readable: tp_prog_is_valid_access starts at
// sizeof(void *).
SEC("tracepoint/syscalls/sys_enter_openat") int prog(void *ctx) {
    return *(volatile __u32 *)(ctx + 4);
}
