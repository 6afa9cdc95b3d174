// SPDX-License-Identifier: GPL-2.0
// Callbacks: helpers that call a function of your program back.
//
// - bpf_loop(n, fn, ctx, 0) calls fn(i, ctx) for i = 0 .. n-1, or until fn returns 1. The
//   verifier checks fn once, not n times, so a loop of thousands of iterations loads where an
//   unrolled or bounded C loop of the same length would not. It returns the number of calls.
// - bpf_for_each_map_elem(map, fn, ctx, 0) calls fn(map, key, value, ctx) for every element of
//   an array or hash map. The callback may change the value and even delete its own element.
//
// Here: every IPv4 packet is counted per source address in `flows`; then a walk over `flows`
// sums the bytes of all flows and evicts the flows seen 3 times or more; a bpf_loop reads up to
// 16 bytes after the IPv4 header (the UDP or TCP header first) one by one into a checksum,
// stopping early at the end of the packet.
// The results of the last packet are in `totals`. In bpfplay, step into the callbacks: each
// call is a frame of its own, and the caller's frame shows which helper is calling.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct bpf_map;

struct flow {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);  // IPv4 source address (network order)
    __type(value, struct flow);
} flows SEC(".maps");

enum { TOTAL_FLOWS, TOTAL_BYTES, EVICTED, PAYLOAD_SUM, PAYLOAD_READ, NR_TOTALS };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NR_TOTALS);
    __type(key, __u32);
    __type(value, __u64);
} totals SEC(".maps");

struct walk {
    __u64 flows;
    __u64 bytes;
    __u64 evicted;
};

// Called once per element of `flows`.
static long visit_flow(struct bpf_map *map, __u32 *key, struct flow *f, struct walk *w)
{
    w->flows++;
    w->bytes += f->bytes;
    if (f->packets >= 3) {
        bpf_map_delete_elem(map, key);  // deleting the element being visited is allowed
        w->evicted++;
    }
    return 0;  // 0: go on with the next element, 1: stop
}

struct payload {
    struct xdp_md *xdp;
    __u32 offset;  // where the IPv4 payload starts
    __u32 sum;
    __u32 read;
};

// Called with i = 0, 1, ... up to 15.
static long read_byte(__u32 i, struct payload *p)
{
    __u8 byte;

    if (bpf_xdp_load_bytes(p->xdp, p->offset + i, &byte, 1) < 0)
        return 1;  // past the end of the packet: stop the loop
    p->sum = p->sum * 31 + byte;
    p->read++;
    return 0;
}

static void set_total(__u32 index, __u64 value)
{
    bpf_map_update_elem(&totals, &index, &value, BPF_ANY);
}

SEC("xdp")
int xdp_callbacks(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);

    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;

    __u32 src = ip->saddr;
    __u64 len = data_end - data;
    struct flow *f = bpf_map_lookup_elem(&flows, &src);
    if (f) {
        f->packets++;
        f->bytes += len;
    } else {
        struct flow first = { .packets = 1, .bytes = len };
        bpf_map_update_elem(&flows, &src, &first, BPF_NOEXIST);
    }

    struct walk w = {};
    long visited = bpf_for_each_map_elem(&flows, visit_flow, &w, 0);
    set_total(TOTAL_FLOWS, visited);
    set_total(TOTAL_BYTES, w.bytes);
    set_total(EVICTED, w.evicted);

    struct payload p = { .xdp = ctx, .offset = sizeof(*eth) + ip->ihl * 4 };
    long calls = bpf_loop(16, read_byte, &p, 0);
    set_total(PAYLOAD_SUM, p.sum);
    set_total(PAYLOAD_READ, p.read);
    // XDP_DROP when the loop stopped early (fewer than 16 bytes after the IPv4 header).
    return calls == 16 && p.read == 16 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
