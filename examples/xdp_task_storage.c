// xdp_task_storage.c -- counts packets and bytes per task in task local storage, and lets a
// task through only two packets out of three.
//
// Teaches: BPF_MAP_TYPE_TASK_STORAGE: a value attached to a task (here the current one, from
// bpf_get_current_task_btf), not to a key. bpf_task_storage_get without flags only finds the
// value (NULL when the task has none yet); with BPF_LOCAL_STORAGE_GET_F_CREATE it creates it,
// zeroed. bpf_task_storage_delete takes the value away (0), and a second delete finds nothing
// (-ENOENT). The map is declared with BPF_F_NO_PREALLOC, no max_entries and an int key (user
// space names the task with a pidfd; bpfplay's map views show the task's pid).
//
// Try: the "three_then_reset" case: packets 1 and 2 pass, packet 3 drops and deletes the task's
// value, packet 4 starts counting again. Under BPF_PROG_TEST_RUN the current task is the test
// runner itself (bpfplay's host task, pid 4242).

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct;

struct task_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required: values come and go with their tasks
	__type(key, int);                     // no max_entries: one value per task
	__type(value, struct task_stats);
} per_task SEC(".maps");

enum {
	STAT_CREATED,       // packets that found no value and created one
	STAT_LAST_PACKETS,  // the task's packet count after the last packet
	STAT_LAST_BYTES,    // and its byte count
	STAT_DELETE,        // what bpf_task_storage_delete returned (0)
	STAT_DELETE_AGAIN,  // and what a second delete returned (-ENOENT)
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_COUNT);
	__type(key, __u32);
	__type(value, __s64);
} stats SEC(".maps");

static void stat_set(__u32 i, __s64 v, int add)
{
	__s64 *p = bpf_map_lookup_elem(&stats, &i);
	if (p)
		*p = add ? *p + v : v;
}

SEC("xdp")
int xdp_task_storage(struct xdp_md *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_stats *s;

	s = bpf_task_storage_get(&per_task, task, 0, 0);
	if (!s) {
		s = bpf_task_storage_get(&per_task, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!s)
			return XDP_ABORTED;
		stat_set(STAT_CREATED, 1, 1);
	}
	s->packets++;
	s->bytes += ctx->data_end - ctx->data;
	stat_set(STAT_LAST_PACKETS, s->packets, 0);
	stat_set(STAT_LAST_BYTES, s->bytes, 0);
	if (s->packets < 3)
		return XDP_PASS;

	// The third packet: forget the task, so its next packet starts a new count.
	stat_set(STAT_DELETE, bpf_task_storage_delete(&per_task, task), 0);
	stat_set(STAT_DELETE_AGAIN, bpf_task_storage_delete(&per_task, task), 0);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
