#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: iterator programs return 0 or 1.
SEC("iter/task") int prog(void *ctx) { return 2; }
