// Lesson 1 (solution): every packet gets XDP_DROP. clang turns the return into
// "w0 = 1; exit": the verdict is whatever r0 holds at exit.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int lesson1(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
