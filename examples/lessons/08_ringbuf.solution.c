// Lesson 8 (solution): reserve, fill, submit. A reserved record must be submitted (or
// discarded) on every path, or the verifier refuses the program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pkt_event {
	__u32 len;      // data_end - data
	__u32 pad;
	__u64 when_ns;  // bpf_ktime_get_ns()
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("xdp")
int lesson8(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return XDP_PASS;
	e->len = data_end - data;
	e->pad = 0;
	e->when_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
