#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: a device cgroup program reads its context: access_type in part (the type in its low 16 bits), major and minor whole.
SEC("cgroup/dev") int prog(struct bpf_cgroup_dev_ctx *ctx) { short type = ctx->access_type & 0xFFFF; __u16 acc = *(volatile __u16 *)((char *)ctx + 2); return (type == BPF_DEVCG_DEV_CHAR && ctx->major == 1 && ctx->minor == 3 && acc != 0) ? 1 : 0; }
