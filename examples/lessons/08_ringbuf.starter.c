// Lesson 8: events. A map is read when user space asks; a ring buffer sends a record for each
// event, in order, to a reader waiting for them. bpf_ringbuf_reserve(&rb, size, 0) hands out
// room for one record (NULL when the buffer is full: check it), bpf_ringbuf_submit(p, 0)
// publishes it. Records show in the Console and in the Maps tab.
// Task: for each packet, send one struct pkt_event with its length in bytes and the time.
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
	// struct pkt_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	// if (!e) return XDP_PASS; fill in e->len, e->pad = 0, e->when_ns; bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
