#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } jt SEC(".maps");
// Accepted: a tail call that fails returns to the program with its packet pointers as they were (6.18 does not count it as packet-changing).
SEC("xdp") int prog(struct xdp_md *ctx) { void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
 if (data + 4 > end) return 1; bpf_tail_call(ctx, &jt, 0); return *(volatile __u8 *)data; }
