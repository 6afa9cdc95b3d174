// SPDX-License-Identifier: GPL-2.0
// BPF timers: a struct bpf_timer lives in a map value; bpf_timer_init ties it to its map and a
// clock, bpf_timer_set_callback names the function to call, bpf_timer_start arms it (here: due
// at once), bpf_timer_cancel disarms it (returning 1 when it was armed). The callback runs
// later, outside the program's run, with the map, the key and the value holding the timer.
//
// Every packet (re)arms the timer; the callback counts how often it fired and copies the length
// the last packet left. A TCP packet cancels the timer again, so no callback follows it.
// bpfplay fires due timers after the run, on its virtual clock ("fired:" in the output).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
    struct bpf_timer t;
    __u64 fired;       // callback runs
    __s64 init_ret;    // bpf_timer_init's return for the last packet (-EBUSY once it exists)
    __s64 cancel_ret;  // bpf_timer_cancel's return for the last TCP packet
    __u64 pending_len; // written by the program, read by the callback
    __u64 last_len;    // written by the callback
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct elem);
} timers SEC(".maps");

// The timer's callback: it must return 0.
static int fire(void *map, __u32 *key, struct elem *e)
{
    e->fired++;
    e->last_len = e->pending_len;
    return 0;
}

static int is_tcp(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);

    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return 0;
    return ip->protocol == IPPROTO_TCP;
}

SEC("xdp")
int xdp_timer(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 key = 0;
    struct elem *e = bpf_map_lookup_elem(&timers, &key);

    if (!e)
        return XDP_ABORTED;
    e->init_ret = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
    bpf_timer_set_callback(&e->t, fire);
    e->pending_len = data_end - data;
    bpf_timer_start(&e->t, 0, 0);  // due now: fires right after this run
    if (is_tcp(data, data_end))
        e->cancel_ret = bpf_timer_cancel(&e->t);
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
