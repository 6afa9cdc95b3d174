#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Accepted: bpf_skc_to_tcp_sock takes the tracepoint's struct sock (ARG_PTR_TO_BTF_ID_SOCK_COMMON) and gives a struct tcp_sock or NULL, whose fields read after the NULL check.
SEC("tp_btf/tcp_probe") NAKED int prog(__u64 *ctx) { asm volatile("r1 = *(u64 *)(r1 + 0); call 137; if r0 == 0 goto 1f; r1 = *(u32 *)(r0 + 1800); 1: r0 = 0; exit;"); }
