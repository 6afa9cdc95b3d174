#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: the same ctx pointer with a variable offset, read through directly.
SEC("kprobe/do_sys_openat2") int prog(struct pt_regs *ctx) {
    __u64 off = bpf_get_prandom_u32() & 0xf8;
    return *(volatile long *)((void *)ctx + off) != 0;
}
