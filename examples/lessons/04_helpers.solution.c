// Lesson 4 (solution): two helper calls and a map update. bpf_printk is a macro around
// bpf_trace_printk, whose format string clang puts in .rodata.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_ns SEC(".maps");

SEC("xdp")
int lesson4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	__u64 now = bpf_ktime_get_ns();

	bpf_printk("len=%d", (int)(data_end - data));
	bpf_map_update_elem(&last_ns, &key, &now, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
