// Lesson 1: a program's answer is its return value.
// An XDP program runs on every packet that arrives. r1 holds a pointer to the packet's
// context (struct xdp_md); whatever the program leaves in r0 when it exits is its verdict:
// XDP_DROP (1) throws the packet away, XDP_PASS (2) lets it on into the kernel.
// Task: drop every packet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int lesson1(struct xdp_md *ctx)
{
	return XDP_PASS;  // change the verdict here
}

char LICENSE[] SEC("license") = "GPL";
