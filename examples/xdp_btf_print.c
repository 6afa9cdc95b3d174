// xdp_btf_print: printing kernel structs by their BTF type with bpf_snprintf_btf.
//
// The program points a struct btf_ptr at bytes it can read (the packet's IPv4, Ethernet and
// TCP headers, structs on its stack) together with the id of a type of the KERNEL's BTF, which
// bpf_core_type_id_kernel() asks libbpf (or bpfplay) to find, and bpf_snprintf_btf writes the
// object as C-like text into a map value. What it teaches:
//   - the text: "(struct iphdr){ .ihl = (__u8)0x5, ... }" -- member names and types, zero
//     members left out (BTF_F_ZERO shows them), bitfields in hex, char arrays as 'c' up to
//     their NUL, enums by enumerator name;
//   - the flags: BTF_F_COMPACT (one line), BTF_F_NONAME (values only), BTF_F_PTR_RAW (pointers
//     as they are; without it the kernel prints a per-boot hash of each pointer, which is why
//     this example only prints pointers raw);
//   - the return value: the length of the whole text, like snprintf, even when the buffer
//     was too small (slot 5: a 16-byte buffer), or -EINVAL (bad flags, btf_ptr size or type
//     id 0), -ENOENT (a type id the kernel's BTF lacks), -ERANGE (a NULL object: the kernel
//     reads it with copy_from_kernel_nofault; the buffer is left as it was).
// Each slot of `printed` holds one call's return value and text.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct printed_text {
	long ret;        // what bpf_snprintf_btf returned
	char text[480];  // what it wrote
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct printed_text);
} printed SEC(".maps");

// Kernel types the program does not include a header for (CO-RE finds them by name).
struct list_head {
	struct list_head *next, *prev;
};
struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
};

// One call into slot `slot`; the type id and size are constants the verifier knows.
#define PRINT(slot, object, id, flags, ptr_size)                                        \
	({                                                                                   \
		__u32 k = (slot);                                                            \
		struct printed_text *out = bpf_map_lookup_elem(&printed, &k);                \
		if (out) {                                                                   \
			struct btf_ptr p = { .ptr = (object), .type_id = (id) };            \
			out->ret = bpf_snprintf_btf(out->text, sizeof(out->text), &p, (ptr_size), \
						    (flags));                                \
		}                                                                            \
	})

SEC("xdp")
int xdp_btf_print(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct tcphdr *tcp = (void *)(ip + 1);
	const __u32 ip_type = bpf_core_type_id_kernel(struct iphdr);

	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;

	PRINT(0, ip, ip_type, 0, sizeof(struct btf_ptr));
	PRINT(1, ip, ip_type, BTF_F_COMPACT, sizeof(struct btf_ptr));
	PRINT(2, ip, ip_type, BTF_F_COMPACT | BTF_F_NONAME, sizeof(struct btf_ptr));
	PRINT(3, eth, bpf_core_type_id_kernel(struct ethhdr), BTF_F_COMPACT, sizeof(struct btf_ptr));
	PRINT(4, tcp, bpf_core_type_id_kernel(struct tcphdr), BTF_F_COMPACT | BTF_F_ZERO, sizeof(struct btf_ptr));

	// Truncated: 15 bytes of text and a NUL; the return value is the whole length.
	{
		char small[16];
		struct btf_ptr p = { .ptr = ip, .type_id = ip_type };
		__u32 k = 5;
		struct printed_text *out = bpf_map_lookup_elem(&printed, &k);

		if (out) {
			out->ret = bpf_snprintf_btf(small, sizeof(small), &p, sizeof(p), 0);
			__builtin_memcpy(out->text, small, sizeof(small));
		}
	}

	struct list_head node = { .next = (void *)0xffff888000001000ull, .prev = 0 };
	PRINT(6, &node, bpf_core_type_id_kernel(struct list_head), BTF_F_PTR_RAW, sizeof(struct btf_ptr));

	enum bpf_map_type type = BPF_MAP_TYPE_ARRAY;
	PRINT(7, &type, bpf_core_type_id_kernel(enum bpf_map_type), 0, sizeof(struct btf_ptr));
	type = (enum bpf_map_type)1000;
	PRINT(8, &type, bpf_core_type_id_kernel(enum bpf_map_type), 0, sizeof(struct btf_ptr));

	struct qstr name = { .hash = 0x12345678, .len = 5, .name = (void *)0xffff888000002000ull };
	PRINT(9, &name, bpf_core_type_id_kernel(struct qstr), BTF_F_PTR_RAW | BTF_F_ZERO, sizeof(struct btf_ptr));

	// The errors, in the order the kernel checks them.
	PRINT(10, ip, ip_type, 16, sizeof(struct btf_ptr));                        // unknown flag: -EINVAL
	PRINT(11, ip, ip_type, 0, 8);                                              // btf_ptr size: -EINVAL
	PRINT(12, ip, 0, 0, sizeof(struct btf_ptr));                               // type id 0: -EINVAL
	PRINT(13, ip, 0x7fffffff, 0, sizeof(struct btf_ptr));                      // no such type: -ENOENT
	PRINT(14, (void *)0, ip_type, 0, sizeof(struct btf_ptr));                  // NULL: -ERANGE
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
