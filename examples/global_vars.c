// global_vars.c -- global variables: .data, .rodata and .bss, and how a program uses them.
//
// Teaches: libbpf turns each global section into a one-entry ARRAY map ("global_v.data",
// "global_v.rodata", "global_v.bss"); the code reaches a variable through that map's value
// (an ld_imm64 "map value" load), with no helper call. Initialized variables go to .data,
// zero ones to .bss, and "const volatile" ones to .rodata, which user space may set before
// load and which is read-only afterwards (the verifier may then treat it as a constant).
//
// Try: the same packet a few times (--repeat 3): packets_seen starts at 100 and grows, bytes
// add up; a packet shorter than min_len (60 bytes) counts as a runt and gets XDP_DROP.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// .rodata: configuration, set by the loader before the program is loaded.
const volatile __u32 min_len = 60;
const volatile __u32 max_len = 1514;

// .data: initialized, read-write.
__u64 packets_seen = 100;
char last_verdict[8] = "none";

// .bss: zero-initialized, read-write.
__u64 bytes_seen;
__u32 runts;
__u32 last_len;

SEC("xdp")
int xdp_global_vars(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	packets_seen++; // not atomic: fine on one CPU, racy on many (see atomics.c)
	bytes_seen += len;
	last_len = len;

	if (len < min_len || len > max_len) {
		runts++;
		__builtin_memcpy(last_verdict, "drop", 5);
		return XDP_DROP;
	}
	__builtin_memcpy(last_verdict, "pass", 5);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
