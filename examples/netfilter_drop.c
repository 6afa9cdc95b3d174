// netfilter: a BPF program as a netfilter hook function (BPF_PROG_TYPE_NETFILTER, since Linux
// 6.4), attached with a BPF link to one hook of one family (NF_INET_PRE_ROUTING of IPv4, ...) and
// run for every packet that passes it, like an iptables rule. It answers NF_ACCEPT (the packet
// goes on) or NF_DROP.
//
// What it teaches:
// - the context, struct bpf_nf_ctx: two kernel pointers the program reads through (BTF, CO-RE),
//   state (the hook and the family) and skb (the packet's struct sk_buff: len, protocol);
//   nothing in them may be written;
// - the packet's bytes through a dynptr: bpf_dynptr_from_skb on ctx->skb (read-only here) and
//   bpf_dynptr_slice, which copies into a buffer when the bytes are not linear;
// - where the packet starts: at the IP header (netfilter hooks run in the IP layer);
// - maps as the rule table: blocked source addresses, blocked TCP destination ports.
//
// Cases: the test run's default hook is IPv4 NF_INET_LOCAL_OUT, whose packet is an IP packet;
// with a struct nf_hook_state as the context (hook, pf) any other hook takes an Ethernet frame.
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NF_DROP 0
#define NF_ACCEPT 1
#define NFPROTO_IPV4 2
#define ETH_P_IP 0x0800

// The kernel's structs, as much of them as we use; CO-RE finds the real offsets.
struct net_device;

struct nf_hook_state {
    __u8 hook;
    __u8 pf;
    struct net_device *in;
    struct net_device *out;
} __attribute__((preserve_access_index));

struct sk_buff {
    unsigned int len;
    __be16 protocol;
} __attribute__((preserve_access_index));

struct bpf_nf_ctx {
    const struct nf_hook_state *state;
    struct sk_buff *skb;
};

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
                              __u32 buffer__szk) __ksym;

// Source addresses (network byte order) whose packets are dropped.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __be32);
    __type(value, __u8);
} blocked_sources SEC(".maps");

// TCP destination ports (host byte order) whose packets are dropped.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);
    __type(value, __u8);
} blocked_ports SEC(".maps");

// Per hook (NF_INET_PRE_ROUTING 0 .. NF_INET_POST_ROUTING 4): packets seen, dropped, bytes seen.
struct hook_stats {
    __u64 packets;
    __u64 dropped;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 5);
    __type(key, __u32);
    __type(value, struct hook_stats);
} stats SEC(".maps");

// What the last packet looked like from the program: skb->len, skb->protocol, hook, pf, and
// whether the hook state names an input and an output device.
struct last_seen {
    __u32 len;
    __u16 protocol;  // host byte order
    __u8 hook;
    __u8 pf;
    __u8 has_in;
    __u8 has_out;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct last_seen);
} last SEC(".maps");

static int verdict(struct hook_stats *s, int v) {
    if (s && v == NF_DROP) __sync_fetch_and_add(&s->dropped, 1);
    return v;
}

SEC("netfilter")
int nf_filter(struct bpf_nf_ctx *ctx) {
    const struct nf_hook_state *state = ctx->state;
    struct sk_buff *skb = ctx->skb;
    __u32 hook = state->hook, zero = 0;

    struct last_seen *l = bpf_map_lookup_elem(&last, &zero);
    if (l) {
        l->len = skb->len;
        l->protocol = bpf_ntohs(skb->protocol);
        l->hook = hook;
        l->pf = state->pf;
        l->has_in = state->in != 0;
        l->has_out = state->out != 0;
    }
    struct hook_stats *s = bpf_map_lookup_elem(&stats, &hook);
    if (s) {
        __sync_fetch_and_add(&s->packets, 1);
        __sync_fetch_and_add(&s->bytes, skb->len);
    }
    if (state->pf != NFPROTO_IPV4 || skb->protocol != bpf_htons(ETH_P_IP))
        return verdict(s, NF_ACCEPT);  // only IPv4 has rules here

    struct bpf_dynptr ptr;
    if (bpf_dynptr_from_skb((struct __sk_buff *)skb, 0, &ptr))
        return verdict(s, NF_ACCEPT);
    struct iphdr iph_buf;
    struct iphdr *iph = bpf_dynptr_slice(&ptr, 0, &iph_buf, sizeof(iph_buf));
    if (!iph)
        return verdict(s, NF_ACCEPT);
    // A read-only slice cannot be a map key (the verifier wants writable memory): copy first.
    __be32 saddr = iph->saddr;
    if (bpf_map_lookup_elem(&blocked_sources, &saddr))
        return verdict(s, NF_DROP);
    if (iph->protocol != IPPROTO_TCP)
        return verdict(s, NF_ACCEPT);
    struct tcphdr th_buf;
    struct tcphdr *th = bpf_dynptr_slice(&ptr, iph->ihl * 4, &th_buf, sizeof(th_buf));
    if (!th)
        return verdict(s, NF_ACCEPT);
    __u16 dport = bpf_ntohs(th->dest);
    if (bpf_map_lookup_elem(&blocked_ports, &dport))
        return verdict(s, NF_DROP);
    return verdict(s, NF_ACCEPT);
}

char LICENSE[] SEC("license") = "GPL";
