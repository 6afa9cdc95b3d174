// hash_replace_order -- where a hash map's existing key goes when user space replaces its value.
//
// kernel/bpf/hashtab.c links a new element at the head of the key's bucket and unlinks the old
// one for HASH and LRU_HASH (so the key becomes the first of its bucket), and copies the value
// into the old element for PERCPU_HASH and LRU_PERCPU_HASH (it keeps its place). The maps have
// BPF_F_ZERO_SEED, so buckets are jhash(key, 0) & (n_buckets - 1) and the order is the same on
// every run: what tests/maps/hash_order_test.cpp asserts for bpfplay.
//
//   gcc -O2 -Wall -o build/hash_replace_order tests/kernel/hash_replace_order.c -lbpf
//   sudo build/hash_replace_order
//
// Prints, per type, the get_next_key walk from NULL and the keys of one BPF_MAP_LOOKUP_BATCH
// (u32 keys, u64 values, 16 entries max, keys 1..10 inserted in order), before and after
// replacing 4 (BPF_ANY) and 2 (BPF_EXIST), then after replacing 7, 10 and 3. With seed 0 and
// 16 buckets, 4 and 10 share bucket 1 and 2 and 7 bucket 10; the other keys are alone.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ncpus;

static void walk(int fd)
{
	__u32 key, next, *prev = NULL;
	printf("  walk:");
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		printf(" %u", next);
		key = next;
		prev = &key;
	}
	printf("\n");
}

static void batch(int fd, int percpu)
{
	__u32 keys[32], out = 0, count = 32;
	__u64 *values = calloc(32 * (percpu ? ncpus : 1), sizeof(__u64));
	int err = bpf_map_lookup_batch(fd, NULL, &out, keys, values, &count, NULL);
	printf("  batch (ret %d, count %u):", err ? -errno : 0, count);
	for (__u32 i = 0; i < count; i++)
		printf(" %u", keys[i]);
	printf("\n");
	free(values);
}

static int update(int fd, __u32 key, __u64 v, __u64 flags, int percpu)
{
	__u64 *values = calloc(percpu ? ncpus : 1, sizeof(__u64));
	for (int c = 0; c < (percpu ? ncpus : 1); c++)
		values[c] = v;
	int err = bpf_map_update_elem(fd, &key, values, flags) ? -errno : 0;
	free(values);
	return err;
}

int main(void)
{
	static const struct {
		enum bpf_map_type type;
		const char *name;
		int percpu;
	} types[] = {
		{BPF_MAP_TYPE_HASH, "hash", 0},
		{BPF_MAP_TYPE_PERCPU_HASH, "percpu_hash", 1},
		{BPF_MAP_TYPE_LRU_HASH, "lru_hash", 0},
		{BPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash", 1},
	};
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	ncpus = libbpf_num_possible_cpus();
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_ZERO_SEED);
		int fd = bpf_map_create(types[t].type, types[t].name, 4, 8, 16, &opts);
		if (fd < 0) {
			perror(types[t].name);
			return errno == EPERM ? 77 : 1;
		}
		printf("%s\n", types[t].name);
		for (__u32 k = 1; k <= 10; k++)
			update(fd, k, k * 10, BPF_ANY, types[t].percpu);
		walk(fd);
		batch(fd, types[t].percpu);
		printf("  replace 4 (BPF_ANY): %d, 2 (BPF_EXIST): %d\n",
		       update(fd, 4, 444, BPF_ANY, types[t].percpu),
		       update(fd, 2, 222, BPF_EXIST, types[t].percpu));
		walk(fd);
		batch(fd, types[t].percpu);
		printf("  replace 7: %d, 10: %d, 3: %d\n", update(fd, 7, 777, BPF_ANY, types[t].percpu),
		       update(fd, 10, 1010, BPF_ANY, types[t].percpu),
		       update(fd, 3, 333, BPF_ANY, types[t].percpu));
		walk(fd);
		batch(fd, types[t].percpu);
		close(fd);
	}
	return 0;
}
