// SPDX-License-Identifier: GPL-2.0
// A cgroup/sysctl guard: tasks in the cgroup may read every sysctl and write most, but a write
// to net/ipv4/tcp_mem with a value above a limit is refused (the writer's write(2) fails with
// -EPERM), and a value written without its trailing newline gets one through
// bpf_sysctl_set_new_value.
//
// What it teaches: struct bpf_sysctl (write, file_pos), bpf_sysctl_get_name (full path),
// bpf_sysctl_get_new_value, bpf_strtoul with an offset the verifier can bound, and the verdict
// (1 allows the access, 0 refuses it).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_NUMBER_LEN 7   // digits of a number, and a mask that keeps offsets bounded
#define MAX_VALUE_LEN 64

// The largest tcp_mem value allowed, in pages (set before load in user space).
const volatile unsigned long tcp_mem_limit = 500000;

// How many writes were refused and how many rewritten (for user space to read).
unsigned long refused = 0;
unsigned long rewritten = 0;

static __always_inline int is_tcp_mem(struct bpf_sysctl *ctx)
{
	const char want[] = "net/ipv4/tcp_mem";
	char name[sizeof(want)] = {};

	if (bpf_sysctl_get_name(ctx, name, sizeof(name), 0) != sizeof(want) - 1)
		return 0;
#pragma unroll
	for (int i = 0; i < sizeof(want) - 1; i++)
		if (name[i] != want[i])
			return 0;
	return 1;
}

SEC("cgroup/sysctl")
int sysctl_guard(struct bpf_sysctl *ctx)
{
	char value[MAX_VALUE_LEN] = {};
	unsigned long pages[3] = {};
	int off = 0, len = 0, ret;

	if (!ctx->write || !is_tcp_mem(ctx))
		return 1;

	ret = bpf_sysctl_get_new_value(ctx, value, sizeof(value));
	if (ret < 0)
		goto refuse;  // longer than 63 bytes, or nothing written
	len = ret & (MAX_VALUE_LEN - 1);  // at most 63: a bound the verifier sees

#pragma unroll
	for (int i = 0; i < 3; i++) {
		ret = bpf_strtoul(value + off, MAX_NUMBER_LEN + 1, 0, &pages[i]);
		if (ret <= 0 || ret > MAX_NUMBER_LEN + 1)
			goto refuse;
		if (pages[i] > tcp_mem_limit)
			goto refuse;
		off += ret & (MAX_NUMBER_LEN + 8);  // bounded: the verifier sees off < 64
	}

	// A value written without its newline ("echo -n") gets one, as the kernel's own output has.
	if (len > 0 && len < MAX_VALUE_LEN - 1 && value[(len - 1) & (MAX_VALUE_LEN - 1)] != '\n') {
		value[len & (MAX_VALUE_LEN - 1)] = '\n';
		if (bpf_sysctl_set_new_value(ctx, value, len + 1) == 0)
			__sync_fetch_and_add(&rewritten, 1);
	}
	return 1;

refuse:
	__sync_fetch_and_add(&refused, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
