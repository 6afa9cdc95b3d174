#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: sk_lookup returns SK_DROP (0) or SK_PASS (1).
SEC("sk_lookup") int prog(struct bpf_sk_lookup *ctx) { return 2; }
