#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: kprobe programs may return anything.
SEC("kprobe/do_unlinkat") int prog(void *ctx) { return 5; }
