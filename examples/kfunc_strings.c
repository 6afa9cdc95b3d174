// kfunc_strings.c -- the string kfuncs of Linux 6.17+ (bpf_strlen, bpf_strcmp, bpf_strstr, ...),
// the bit iterator (bpf_iter_bits_*) and bpf_copy_from_user_str.
//
// Teaches: kfuncs that read memory the verifier does not check.
//   - The string kfuncs take `const char *s__ign`: the verifier ignores the argument's type, so
//     any pointer (or number) may be passed. They read it one byte at a time with
//     __get_kernel_nofault and say what went wrong in the return value instead of faulting:
//     -ERANGE for an address that is not kernel memory (NULL, a user-space address), -EFAULT for
//     kernel memory that cannot be read, -E2BIG when no NUL comes within XATTR_SIZE_MAX (65536)
//     bytes, -ENOENT when a search finds nothing. Results are indexes, not pointers.
//   - bpf_strcmp/bpf_strcasecmp return -1, 0 or 1 (not the difference of the bytes); chars are
//     signed, so "\x80" sorts before "a"; bpf_strcasecmp lowers ISO-8859-1 letters too.
//   - bpf_iter_bits_new(&it, words, nr_words) copies nr_words u64 words (at most 511) and
//     bpf_iter_bits_next returns a pointer to the index of each set bit, lowest first.
//   - bpf_copy_from_user_str copies a string from the calling process's memory (sleepable
//     programs only: SEC("syscall") programs are); BPF_F_PAD_ZEROS zeroes the rest of the buffer.
//     bpf_copy_from_user_task_str does it for any task's memory (here the current task's).
//
// Try: run `strings` with a ctx of 8 zero bytes (user_ptr NULL: copy_from_user_str fails with
// -EFAULT), or with user_ptr = the address of argv[0] in the emulated host (0x7ffd5e3c1f00).
// Every result lands in the `results` array (its slot numbers are below).

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_bits {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_strcmp(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strcasecmp(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strchr(const char *s__ign, char c) __ksym;
extern int bpf_strchrnul(const char *s__ign, char c) __ksym;
extern int bpf_strnchr(const char *s__ign, __SIZE_TYPE__ count, char c) __ksym;
extern int bpf_strrchr(const char *s__ign, int c) __ksym;
extern int bpf_strlen(const char *s__ign) __ksym;
extern int bpf_strnlen(const char *s__ign, __SIZE_TYPE__ count) __ksym;
extern int bpf_strspn(const char *s__ign, const char *accept__ign) __ksym;
extern int bpf_strcspn(const char *s__ign, const char *reject__ign) __ksym;
extern int bpf_strstr(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strnstr(const char *s1__ign, const char *s2__ign, __SIZE_TYPE__ len) __ksym;
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;
extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, __u64 flags) __ksym;
// libbpf checks a kfunc's prototype against the kernel's BTF: the task pointer needs a defined struct.
struct task_struct {
	int pid;
} __attribute__((preserve_access_index));
extern int bpf_copy_from_user_task_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign,
				       struct task_struct *tsk, __u64 flags) __ksym;

// The uapi flag of Linux 6.13 (not in older headers).
#define PAD_ZEROS 1ull // BPF_F_PAD_ZEROS

#define NSLOTS 64
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

// 65536 + 8 bytes with no NUL: what -E2BIG needs (filled by the program).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8193]);
} long_string SEC(".maps");

// The string bpf_copy_from_user_str copied, as bytes.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, char[24]);
} copied SEC(".maps");

const char greeting[] = "hello, world";  // .rodata
char name[16] = "bpfplay";               // .data, a map value

// Addresses no program memory is at: x86-64's unused hole in the kernel half (-EFAULT), and a
// user-space address (-ERANGE). volatile: the compiler must not assume anything about them.
volatile __u64 kernel_hole = 0xffffc88000000000ull;
volatile __u64 user_addr = 0x10000;

struct args {
	__u64 user_ptr;
};

static void put(__u32 slot, __s64 value)
{
	__s64 *v = bpf_map_lookup_elem(&results, &slot);
	if (v)
		*v = value;
}

static __s64 sum_bits(const __u64 *words, __u32 nr_words, __s64 *count)
{
	struct bpf_iter_bits it;
	__s64 sum = 0;
	int *bit;

	*count = 0;
	bpf_iter_bits_new(&it, words, nr_words);
	while ((bit = bpf_iter_bits_next(&it))) {
		sum += *bit;
		*count += 1;
	}
	bpf_iter_bits_destroy(&it);
	return sum;
}

SEC("syscall")
int strings(struct args *ctx)
{
	char stack[16] = "hello, world";
	char upper[8] = "HeLLo";
	char hi[2] = { (char)0x80, 0 };
	char latin_upper[2] = { (char)0xC0, 0 }, latin_lower[2] = { (char)0xE0, 0 };
	char buf[24];
	struct bpf_iter_bits it;
	__s64 count;
	__u32 k = 0;

	put(0, bpf_strlen(greeting));
	put(1, bpf_strnlen(greeting, 5));
	put(2, bpf_strcmp("abc", "abd"));
	put(3, bpf_strcmp("abd", "abc"));
	put(4, bpf_strcmp(stack, greeting));
	put(5, bpf_strcasecmp(upper, "hello"));
	put(6, bpf_strcasecmp(latin_upper, latin_lower));
	put(7, bpf_strcmp(hi, "a"));
	put(8, bpf_strchr(greeting, 'o'));
	put(9, bpf_strchr(greeting, 'z'));
	put(10, bpf_strchr(greeting, '\0'));
	put(11, bpf_strchrnul(greeting, 'z'));
	put(12, bpf_strnchr(greeting, 4, 'o'));
	put(13, bpf_strrchr(greeting, 'o'));
	put(14, bpf_strrchr(greeting, 0));
	put(15, bpf_strspn(greeting, "leh"));
	put(16, bpf_strcspn(greeting, ", "));
	put(17, bpf_strstr(greeting, "world"));
	put(18, bpf_strstr(greeting, ""));
	put(19, bpf_strstr(greeting, "xyz"));
	put(20, bpf_strnstr(greeting, "world", 12));
	put(21, bpf_strnstr(greeting, "hello", 3));
	put(22, bpf_strnstr(greeting, "wor", 10));
	put(23, bpf_strcasecmp(name, "BPFPLAY"));
	put(24, bpf_strcmp(name, "bpfplay!"));
	put(25, bpf_strlen(name));

	// The error paths.
	put(26, bpf_strlen((const char *)0));
	put(27, bpf_strlen((const char *)user_addr));
	put(28, bpf_strlen((const char *)kernel_hole));
	put(29, bpf_strcmp(greeting, (const char *)kernel_hole));
	put(30, bpf_strstr((const char *)user_addr, greeting));
	put(31, bpf_strchr((const char *)0, 'a'));
	put(32, bpf_strspn(greeting, (const char *)kernel_hole));

	__u64 *big = bpf_map_lookup_elem(&long_string, &k);
	if (big) {
		for (int i = 0; i < 8193; i++)
			((volatile __u64 *)big)[i] = 0x6161616161616161ull; // "aaaaaaaa" (volatile: no memset call)
		put(33, bpf_strlen((const char *)big));
		put(34, bpf_strnlen((const char *)big, 65536));
		put(35, bpf_strnlen((const char *)big, 100));
		put(36, bpf_strchr((const char *)big, 'b'));
		put(37, bpf_strnchr((const char *)big, 70000, 'b'));
		put(38, bpf_strnchr((const char *)big, 300, 'b'));
		put(39, bpf_strspn(greeting, (const char *)big));  // 'h' is not in 65536 bytes of 'a'
		put(59, bpf_strspn((const char *)big, "a"));        // every byte is in the set
		put(60, bpf_strcspn(greeting, (const char *)big));
		put(61, bpf_strspn("aab", (const char *)big));      // 'b' is not: -E2BIG, not 2
	}

	// The bit iterator: one word, three words, and its errors.
	__u64 one = 0x8000000000000013ull;        // bits 0, 1, 4, 63
	__u64 three[3] = { 1, 0, 1ull << 5 };     // bits 0, 133
	put(40, sum_bits(&one, 1, &count));
	put(41, count);
	put(42, sum_bits(three, 3, &count));
	put(43, count);
	// The iterator works on a copy made by new: clearing the words during the loop changes nothing.
	__s64 sum = 0;
	int *bit;
	count = 0;
	bpf_iter_bits_new(&it, three, 3);
	while ((bit = bpf_iter_bits_next(&it))) {
		sum += *bit;
		count++;
		three[2] = 0;
	}
	bpf_iter_bits_destroy(&it);
	put(62, sum);
	put(63, count);
	put(44, bpf_iter_bits_new(&it, (const __u64 *)0, 1));
	bpf_iter_bits_destroy(&it);
	put(45, bpf_iter_bits_new(&it, &one, 0));
	bpf_iter_bits_destroy(&it);
	put(46, bpf_iter_bits_new(&it, three, 512));
	bpf_iter_bits_destroy(&it);
	put(47, bpf_iter_bits_new(&it, (const __u64 *)kernel_hole, 1));
	bpf_iter_bits_destroy(&it);
	put(48, bpf_iter_bits_new(&it, (const __u64 *)kernel_hole, 2));
	bpf_iter_bits_destroy(&it);
	put(49, bpf_iter_bits_new(&it, (const __u64 *)user_addr, 1));
	bpf_iter_bits_destroy(&it);
	put(50, bpf_iter_bits_new(&it, (const __u64 *)user_addr, 2));
	bpf_iter_bits_destroy(&it);
	// After a failed new, next ends the loop at once.
	bpf_iter_bits_new(&it, (const __u64 *)0, 1);
	put(51, bpf_iter_bits_next(&it) ? 1 : 0);
	bpf_iter_bits_destroy(&it);

	// bpf_copy_from_user_str: ctx->user_ptr into buf (and the map), then its errors.
	__builtin_memset(buf, 'x', sizeof(buf));
	put(52, bpf_copy_from_user_str(buf, sizeof(buf), (const void *)ctx->user_ptr, 0));
	bpf_map_update_elem(&copied, &k, buf, 0);
	__builtin_memset(buf, 'x', sizeof(buf));
	put(53, bpf_copy_from_user_str(buf, 8, (const void *)ctx->user_ptr, PAD_ZEROS));
	k = 1;
	bpf_map_update_elem(&copied, &k, buf, 0);
	put(54, bpf_copy_from_user_str(buf, sizeof(buf), (const void *)ctx->user_ptr, 2));
	put(55, bpf_copy_from_user_str(buf, sizeof(buf), stack, 0)); // kernel memory: -EFAULT

	// The same from a task's memory (the current task's here), with its own way of failing.
	struct task_struct *task = bpf_get_current_task_btf();
	__builtin_memset(buf, 'x', sizeof(buf));
	put(56, bpf_copy_from_user_task_str(buf, sizeof(buf), (const void *)ctx->user_ptr, task, 0));
	k = 2;
	bpf_map_update_elem(&copied, &k, buf, 0);
	__builtin_memset(buf, 'x', sizeof(buf));
	put(57, bpf_copy_from_user_task_str(buf, 8, (const void *)ctx->user_ptr, task, PAD_ZEROS));
	k = 3;
	bpf_map_update_elem(&copied, &k, buf, 0);
	put(58, bpf_copy_from_user_task_str(buf, sizeof(buf), (const void *)ctx->user_ptr, task, 4));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
