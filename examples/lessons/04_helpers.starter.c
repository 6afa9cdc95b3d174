// Lesson 4: helpers are the kernel functions a program may call: "call 5" is
// bpf_ktime_get_ns() (nanoseconds since boot), bpf_printk(fmt, ...) writes a line to the trace
// log (the Console here, /sys/kernel/tracing/trace_pipe on a real machine). Arguments go in
// r1-r5, the result comes back in r0.
// Task: for each packet, print "len=N" with the packet's length in bytes (data_end - data),
// and store bpf_ktime_get_ns() in map "last_ns" under key 0.
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
	// void *data = (void *)(long)ctx->data;
	// void *data_end = (void *)(long)ctx->data_end;
	// bpf_printk("len=%d", (int)(data_end - data));
	// __u32 key = 0;
	// __u64 now = bpf_ktime_get_ns(); then bpf_map_update_elem(&last_ns, &key, &now, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
