// xdp_dynptr_slice.c -- parse a packet through a dynptr: bpf_dynptr_from_xdp / _from_skb and
// bpf_dynptr_slice, as the kernel's selftests (test_parse_tcp_hdr_opt_dynptr, ...) do.
//
// Teaches: dynptr kfuncs on packets.
//   - bpf_dynptr_from_xdp(ctx, 0, &ptr) / bpf_dynptr_from_skb(skb, 0, &ptr) make a dynptr over the
//     whole packet (for XDP fragments included). Flags other than 0 are -EINVAL and leave a null
//     dynptr (bpf_dynptr_is_null).
//   - bpf_dynptr_slice(&ptr, off, buf, sizeof(buf)) returns a pointer to sizeof(buf) bytes at off:
//     into the packet when they are in one piece, else a copy in buf; NULL past the end. No
//     data/data_end comparisons: the verifier knows the slice's size.
//   - bpf_dynptr_write(&ptr, off, src, len, 0) writes the packet. Socket filters may not write
//     packets, so their skb dynptrs are read-only (bpf_dynptr_is_rdonly, bpf_dynptr_write
//     -EINVAL); TC and XDP ones are writable. (bpf_dynptr_slice_rdwr, a writable slice, NULL on a
//     read-only dynptr, is refused by the kernel this example was checked on: "bpf_dynptr_slice_rdwr()
//     is not allowed".)
//   - bpf_dynptr_adjust(&ptr, start, end) narrows the view (-EINVAL for start > end, -ERANGE past
//     the size); bpf_dynptr_clone copies a dynptr; bpf_dynptr_copy / _memset work across dynptrs;
//     bpf_dynptr_data (the helper) is NULL for packet dynptrs (slices are their way).
//
// Try: an Ethernet + IPv4 + TCP packet (the ports, the TTL decremented, the TCP flags), a packet too short for the TCP header (the slice is NULL: verdict XDP_DROP),
// the same packet through the TC program and the socket filter.

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb_meta(struct __sk_buff *skb_, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off, struct bpf_dynptr *src_ptr,
			   __u32 src_off, __u32 size) __ksym;
extern int bpf_dynptr_memset(struct bpf_dynptr *p, __u32 offset, __u32 size, __u8 val) __ksym;
extern int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					    const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
				      const void *unsafe_ptr__ign) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

// A local dynptr's memory (bpf_dynptr_from_mem takes a map value).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} scratch SEC(".maps");

static void record(__u32 slot, __s64 value)
{
	__s64 *v = bpf_map_lookup_elem(&results, &slot);
	if (v)
		*v = value;
}

// A bool a kfunc returns is only r0's low byte: the kernel's function (x86) leaves the other
// bytes as they were, while clang takes all 32 bits as the bool. Keep the low byte.
static __always_inline __s64 low_byte(bool b)
{
	__u64 v = b;
	asm volatile("%0 &= 0xff" : "+r"(v));
	return v;
}

// Ethernet, IPv4, TCP through slices of `ptr`; the TTL is decremented in the packet.
// Returns 0, or -1 when a header is not there.
static __always_inline int parse(struct bpf_dynptr *ptr)
{
	struct ethhdr eth_buf;
	struct iphdr ip_buf;
	struct tcphdr tcp_buf;

	struct ethhdr *eth = bpf_dynptr_slice(ptr, 0, &eth_buf, sizeof(eth_buf));
	if (!eth)
		return -1;
	record(0, bpf_ntohs(eth->h_proto));
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	struct iphdr *ip = bpf_dynptr_slice(ptr, sizeof(*eth), &ip_buf, sizeof(ip_buf));
	if (!ip)
		return -1;
	__u8 protocol = ip->protocol, ttl = ip->ttl - 1;
	__u32 tcp_off = sizeof(*eth) + ip->ihl * 4;
	// The TTL, decremented through bpf_dynptr_write (-EINVAL on a read-only dynptr). A write to
	// an skb dynptr may move the packet: the verifier forgets the slices taken before it.
	record(1, bpf_dynptr_write(ptr, sizeof(*eth) + 8, &ttl, 1, 0) ?: ttl);
	if (protocol != IPPROTO_TCP)
		return -1;
	struct tcphdr *tcp = bpf_dynptr_slice(ptr, tcp_off, &tcp_buf, sizeof(tcp_buf));
	if (!tcp)
		return -1;
	record(2, bpf_ntohs(tcp->source));
	record(3, bpf_ntohs(tcp->dest));
	record(4, tcp->syn | tcp->ack << 1 | tcp->fin << 2);
	return 0;
}

// What the dynptr kfuncs answer about `ptr` and its errors, in slots 5..
static __always_inline void probe(struct bpf_dynptr *ptr)
{
	struct bpf_dynptr clone, local;
	__u8 buf[8];

	record(5, bpf_dynptr_size(ptr));
	record(6, low_byte(bpf_dynptr_is_rdonly(ptr)));
	record(7, bpf_dynptr_data(ptr, 0, 1) != 0);                   // packet dynptrs: NULL
	record(8, bpf_dynptr_slice(ptr, bpf_dynptr_size(ptr) - 2, buf, 4) != 0); // past the end
	record(9, bpf_dynptr_read(buf, 4, ptr, bpf_dynptr_size(ptr) - 2, 0));  // -E2BIG
	record(10, bpf_dynptr_read(buf, 4, ptr, 0, 1));                       // flags: -EINVAL

	bpf_dynptr_clone(ptr, &clone);
	record(11, bpf_dynptr_adjust(&clone, 4, 2));          // start > end: -EINVAL
	record(12, bpf_dynptr_adjust(&clone, 0, 1 << 20));    // past the size: -ERANGE
	record(13, bpf_dynptr_adjust(&clone, 6, 12));         // the source MAC
	record(14, bpf_dynptr_size(&clone));
	__u8 *mac = bpf_dynptr_slice(&clone, 0, buf, 6);
	record(15, mac ? mac[5] : -1);

	// Copy the source MAC into a map value through a local dynptr, then clear two bytes of it.
	__u32 k = 0;
	__u8 *mem = bpf_map_lookup_elem(&scratch, &k);
	if (!mem)
		return;
	bpf_dynptr_from_mem(mem, 16, 0, &local);
	record(16, bpf_dynptr_copy(&local, 0, &clone, 0, 6));
	record(17, bpf_dynptr_memset(&local, 4, 2, 0xee));
	record(18, mem[0] | mem[4] << 8 | (__s64)mem[5] << 16);
	record(19, bpf_dynptr_copy(&local, 12, &clone, 0, 6)); // past the local dynptr: -E2BIG
	// Into the packet: the first two bytes become the MAC's first two (a write on a read-only
	// dynptr is -EINVAL).
	record(20, bpf_dynptr_copy(ptr, 0, &local, 0, 2));
	record(21, bpf_dynptr_memset(ptr, bpf_dynptr_size(ptr) - 1, 1, 0x5a));
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr, bad;

	record(22, bpf_dynptr_from_xdp(ctx, 1, &bad)); // flags: -EINVAL, a null dynptr
	record(23, low_byte(bpf_dynptr_is_null(&bad)));
	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	if (parse(&ptr))
		return XDP_DROP;
	probe(&ptr);
	return XDP_PASS;
}

SEC("tc")
int tc_parse(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr, bad;

	record(22, bpf_dynptr_from_skb(skb, 1, &bad));
	record(23, low_byte(bpf_dynptr_is_null(&bad)));
	bpf_dynptr_from_skb(skb, 0, &ptr);
	if (parse(&ptr))
		return TC_ACT_SHOT;
	probe(&ptr);

	// The metadata before the packet (bpf_xdp_adjust_meta's), none in a test run.
	struct bpf_dynptr meta;
	__u8 byte = 1;
	record(24, bpf_dynptr_from_skb_meta(skb, 1, &meta)); // flags: -EINVAL
	record(25, bpf_dynptr_from_skb_meta(skb, 0, &meta));
	record(26, bpf_dynptr_size(&meta));
	record(27, bpf_dynptr_write(&meta, 0, &byte, 1, 0)); // past its 0 bytes: -E2BIG
	return TC_ACT_OK;
}

// A multi-buffer packet (xdp.frags): past 3520 bytes the test run puts the packet in fragments,
// which the dynptr covers too. Bytes across the end of the linear part are copied into the
// buffer (without one the slice is NULL); read, write and memset go across.
SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[8], out[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	record(0, bpf_dynptr_size(&ptr));
	__u8 *p = bpf_dynptr_slice(&ptr, 3516, buf, sizeof(buf));
	record(1, p == buf);
	record(2, p ? p[0] | p[7] << 8 : -1);
	record(3, bpf_dynptr_slice(&ptr, 3516, NULL, 8) != 0);
	p = bpf_dynptr_slice(&ptr, 100, buf, sizeof(buf)); // in the linear part: the packet itself
	record(4, p && p != buf);
	record(5, bpf_dynptr_read(buf, sizeof(buf), &ptr, 3517, 0));
	record(6, buf[0] | buf[7] << 8);
	record(7, bpf_dynptr_write(&ptr, 3516, out, sizeof(out), 0));
	record(8, bpf_dynptr_memset(&ptr, 3600, 300, 0xab)); // inside the first fragment
	record(9, bpf_dynptr_memset(&ptr, 3500, 40, 0xcd));  // across the end of the linear part
	record(10, bpf_dynptr_write(&ptr, 3516, out, sizeof(out), 1)); // flags: -EINVAL
	return XDP_PASS;
}

// bpf_probe_read_kernel(_str)_dynptr: memory at any address into a dynptr (here a string on the
// stack, into a map value and into the packet); a fault is -EFAULT, a range past the dynptr
// -E2BIG, and the string form returns its length with the NUL (cut to size - 1 bytes).
SEC("xdp")
int xdp_probe_read(struct xdp_md *ctx)
{
	char text[16] = "hello, dynptr";
	struct bpf_dynptr local, pkt;
	__u32 k = 0;
	__u8 *mem = bpf_map_lookup_elem(&scratch, &k);
	if (!mem)
		return XDP_ABORTED;
	bpf_dynptr_from_mem(mem, 16, 0, &local);
	bpf_dynptr_from_xdp(ctx, 0, &pkt);
	record(0, bpf_probe_read_kernel_dynptr(&local, 0, 8, text));
	record(1, bpf_probe_read_kernel_str_dynptr(&local, 2, 14, text)); // "hello, dynptr" and a NUL
	record(2, bpf_probe_read_kernel_dynptr(&local, 10, 8, text));     // past the end: -E2BIG
	record(3, bpf_probe_read_kernel_dynptr(&local, 0, 8, (void *)16)); // a fault: -EFAULT
	record(4, bpf_probe_read_user_dynptr(&local, 0, 8, (void *)16));
	record(5, bpf_probe_read_kernel_str_dynptr(&pkt, 2, 6, text));    // "hello" and a NUL
	return XDP_PASS;
}

// A socket filter may not write the packet: its skb dynptr is read-only, and it sees the packet
// from the IP header on (the Ethernet header is not in the dynptr).
SEC("socket")
int socket_parse(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	struct iphdr ip_buf;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	struct iphdr *ip = bpf_dynptr_slice(&ptr, 0, &ip_buf, sizeof(ip_buf));
	if (!ip)
		return 0;
	record(1, ip->ttl);
	__u8 ttl = ip->ttl - 1;
	record(2, bpf_dynptr_write(&ptr, 8, &ttl, 1, 0)); // read-only: -EINVAL
	probe(&ptr);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
