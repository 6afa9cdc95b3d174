#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the context is no socket.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("call 137; r0 = 0; exit;"); }
