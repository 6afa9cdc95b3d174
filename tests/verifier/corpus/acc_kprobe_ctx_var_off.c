#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a ctx pointer may take a variable offset when it is only passed on as a number;
// libbpf's usdt.bpf.h reads a USDT argument this way (bpf_probe_read_kernel(ctx + reg_off)).
SEC("kprobe/do_sys_openat2") int prog(struct pt_regs *ctx) {
    __u64 off = bpf_get_prandom_u32() & 0xf8;
    long val = 0;
    bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + off);
    return val != 0;
}
