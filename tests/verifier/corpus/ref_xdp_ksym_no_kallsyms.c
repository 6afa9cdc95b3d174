#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern const int cpu_number __ksym;
// Refused before the walk on a kernel without CONFIG_KALLSYMS_ALL: a typed __ksym variable's
// address is looked up in kallsyms, which lists no variables there (the first lddw of one fails).
SEC("xdp") int prog(struct xdp_md *ctx) {
    if (ctx->data == ctx->data_end) return XDP_DROP;
    return *(const int *)bpf_this_cpu_ptr(&cpu_number) == 0 ? XDP_PASS : XDP_DROP;
}
