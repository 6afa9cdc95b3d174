#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: raw_tp programs may return anything.
SEC("raw_tp/sys_enter") int prog(__u64 *ctx) { return 7; }
