#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
// Refused: the name buffer bpf_sysctl_get_name writes (and reads) runs past the stack.
SEC("cgroup/sysctl") NAKED int prog(struct bpf_sysctl *ctx) { asm volatile("r2 = r10; r2 += -4; r3 = 8; r4 = 0; call 101; r0 = 1; exit;"); }
