#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: its argument may be NULL (PTR_MAYBE_NULL): the cookie is then 0.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = 0; call 46; r0 = 0; exit;"); }
