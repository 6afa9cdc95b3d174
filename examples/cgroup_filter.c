// cgroup_filter.c -- a tc filter that reserves service ports to the processes of one cgroup
// each: port 8000 + i may only be used by sockets in (or below) the cgroup in slot i of
// `services`. Packets of other sockets to that port are dropped.
//
// Teaches: BPF_MAP_TYPE_CGROUP_ARRAY, filled by user space with the fds of cgroup v2
// directories (open("/sys/fs/cgroup/app", O_RDONLY); bpfplay's map-init and host JSON name a
// cgroup by its id in the host's "cgroups" list), and bpf_skb_under_cgroup(skb, map, index),
// which asks whether the packet's socket belongs to that cgroup or one below it. Its answers,
// checked in the kernel's order:
//   -ENOENT  the packet has no full socket (at tc ingress, before a socket is found)
//   -E2BIG   the index is max_entries or more
//   -EAGAIN  the slot is empty
//    1 / 0   the socket's cgroup is / is not the slot's cgroup or a descendant of it
// bcc's tools filter by cgroup the same way (bpf_current_task_under_cgroup for a task).
//
// Under BPF_PROG_TEST_RUN the packet's socket is one the kernel creates for the run in the
// calling process, so its cgroup is the test runner's: "under /" is always 1. The cases put the
// runner in /bpfplay-cgroup-filter/app (bpfplay: the host task's "cgroup"), so slot 0 (app)
// and 2 (its parent) answer 1 and slot 1 (a sibling) 0. Every test run's skb has a socket, so
// -ENOENT cannot be shown here.
//
// Try: the "every_outcome" case (UDP to ports 8000-8005 and 53), then move the host task to
// another cgroup (host JSON "task": {"cgroup": N}) and run it again.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define SERVICE_BASE_PORT 8000
#define SERVICES 5   // slots of `services`
#define PORTS_TESTED 8 // ports 8000-8007 are checked (8005-8007 are past the array: -E2BIG)

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, SERVICES);
	__type(key, __u32);
	__type(value, __u32); // a cgroup directory fd from user space
} services SEC(".maps");

// How many packets met each answer of bpf_skb_under_cgroup.
enum {
	OUTCOME_NOT_UNDER,  // 0: dropped
	OUTCOME_UNDER,      // 1: passed
	OUTCOME_EMPTY_SLOT, // -EAGAIN: no cgroup for the service, passed
	OUTCOME_NO_SLOT,    // -E2BIG: the port has no slot, passed
	OUTCOME_NO_SOCKET,  // -ENOENT: nobody to check, passed
	OUTCOME_OTHER,
	OUTCOME_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OUTCOME_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} outcomes SEC(".maps");

// Per port 8000 + i: bpf_skb_under_cgroup's last answer, as a signed number.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PORTS_TESTED);
	__type(key, __u32);
	__type(value, __s64);
} last_answer SEC(".maps");

static __u32 outcome_of(long ret)
{
	switch (ret) {
	case 0: return OUTCOME_NOT_UNDER;
	case 1: return OUTCOME_UNDER;
	case -11: return OUTCOME_EMPTY_SLOT; // EAGAIN
	case -7: return OUTCOME_NO_SLOT;     // E2BIG
	case -2: return OUTCOME_NO_SOCKET;   // ENOENT
	}
	return OUTCOME_OTHER;
}

SEC("tc")
int cgroup_filter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	udp = (void *)ip + ip->ihl * 4; // UDP and TCP both start with the two ports
	if ((void *)(udp + 1) > data_end)
		return TC_ACT_OK;

	__u32 slot = bpf_ntohs(udp->dest) - SERVICE_BASE_PORT;
	if (slot >= PORTS_TESTED)
		return TC_ACT_OK; // not a service port

	// The slot is a plain u32 here: the helper itself checks it against max_entries.
	long ret = bpf_skb_under_cgroup(skb, &services, slot);

	__s64 *last = bpf_map_lookup_elem(&last_answer, &slot);
	if (last)
		*last = ret;
	__u32 outcome = outcome_of(ret);
	__u64 *count = bpf_map_lookup_elem(&outcomes, &outcome);
	if (count)
		__sync_fetch_and_add(count, 1);

	return ret == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
