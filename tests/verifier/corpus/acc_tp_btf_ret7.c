#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: tp_btf programs (BPF_TRACE_RAW_TP) may return anything.
SEC("tp_btf/sched_switch") int prog(__u64 *ctx) { return 7; }
