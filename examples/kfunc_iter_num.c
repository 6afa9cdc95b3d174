// kfunc_iter_num.c -- call kernel functions (kfuncs): an open-coded loop with bpf_iter_num_*.
//
// Teaches: kfuncs, kernel functions a program calls by name instead of by helper number.
//   - A kfunc is declared as an extern function with __ksym; clang emits `call` with the
//     function's BTF id, which libbpf (and bpfplay) resolve by name against the kernel's BTF.
//     `bpfvm kfuncs` lists the 203 kfuncs of Linux 6.18 and which bpfplay runs.
//   - Which program types may call a kfunc is decided per type, like helpers: the number
//     iterator is in the "common" set every type has; bpf_task_acquire is not (a socket filter
//     calling it is refused: "calling kernel function bpf_task_acquire is not allowed").
//   - bpf_iter_num_new(&it, start, end) / bpf_iter_num_next(&it) / bpf_iter_num_destroy(&it) make
//     a loop the verifier accepts without unrolling or bounding it: next returns a pointer to the
//     next number, or NULL after end - 1. A range longer than 8M (BPF_MAX_LOOPS) is -E2BIG, start
//     > end -EINVAL, and then next returns NULL at once.
//   - A kfunc declared __weak may be missing from the kernel: bpf_ksym_exists(kfunc) is then 0,
//     and a call to it that the program can reach is refused by the verifier (libbpf turns it
//     into an invalid call). Guard such calls.
//
// Try: a packet of 64 bytes (the checksum of its first 32 bytes in `sums`, the loop count 32),
// a 20-byte packet (the loop stops at the end of the packet: 20 iterations), the bad ranges
// (their error codes in `errors`), and which optional kfuncs exist (errors[2] = 1, [3] = 0).

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// Linux 6.4's struct bpf_iter_num (not in older uapi headers): 8 opaque bytes on the stack.
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
// Optional kfuncs: one Linux 6.18 has, one no kernel has.
extern int bpf_strlen(const char *s__ign) __ksym __weak;
extern void bpf_kfunc_from_the_future(void) __ksym __weak;

#ifndef bpf_ksym_exists // libbpf 1.2's bpf_helpers.h has it
#define bpf_ksym_exists(sym) ({ _Static_assert(!__builtin_constant_p(!!sym), #sym " should be marked as __weak"); !!sym; })
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sums SEC(".maps"); // [0]: sum of the bytes read, [1]: how many the loop read

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} errors SEC(".maps"); // [0], [1]: what bpf_iter_num_new returned for start > end and for a
                       // too-long range; [2], [3]: bpf_ksym_exists of the two optional kfuncs

static void record(void *map, __u32 slot, __s64 value)
{
	__s64 *v = bpf_map_lookup_elem(map, &slot);
	if (v)
		*v = value;
}

SEC("xdp")
int sum_header(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	struct bpf_iter_num it;
	__u64 sum = 0, count = 0;
	int *i;

	bpf_iter_num_new(&it, 0, 32);
	while ((i = bpf_iter_num_next(&it))) {
		unsigned char *p = data + *i;
		if (*i < 0 || *i >= 32 || p + 1 > end)
			break;
		sum += *p;
		count++;
	}
	bpf_iter_num_destroy(&it);

	__u32 k = 0;
	__u64 *s = bpf_map_lookup_elem(&sums, &k);
	if (s)
		*s = sum;
	k = 1;
	s = bpf_map_lookup_elem(&sums, &k);
	if (s)
		*s = count;

	// Ranges the kernel refuses at run time; next then ends the loop at once.
	record(&errors, 0, bpf_iter_num_new(&it, 5, 1));
	bpf_iter_num_destroy(&it);
	record(&errors, 1, bpf_iter_num_new(&it, 0, 9 * 1024 * 1024));
	bpf_iter_num_destroy(&it);

	record(&errors, 2, bpf_ksym_exists(bpf_strlen));
	record(&errors, 3, bpf_ksym_exists(bpf_kfunc_from_the_future));
	if (bpf_ksym_exists(bpf_kfunc_from_the_future))
		bpf_kfunc_from_the_future(); // never runs: the verifier does not even look at it
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
