// xdp_strings: the string helpers on a packet's payload.
//
// A UDP datagram to port 9000 carries a command such as "SET 8080" in its first 16 bytes.
// The program copies those bytes to the stack, checks the "SET " prefix with bpf_strncmp,
// parses the number after it with bpf_strtol, and writes a line describing the result with
// bpf_snprintf into a map value. What it teaches:
//   - bpf_strncmp(s1, n, s2): s2 must be a constant string (in .rodata); it returns -1, 0 or 1,
//     like strncmp, not the byte difference.
//   - bpf_strtol(buf, len, flags, &res): flags is the base (0 = from the prefix, 8, 10, 16); it
//     returns how many characters it consumed (leading spaces and the sign included) or
//     -EINVAL / -ERANGE, and writes 0 to res on an error.
//   - bpf_snprintf(str, size, fmt, data, data_len): the arguments are an array of u64 and
//     data_len its size in bytes; it returns the length with the NUL, even when it truncates.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define CMD_LEN 16

struct result {
    long strncmp_ret;   // bpf_strncmp(payload, 4, "SET ")
    long strtol_ret;    // characters consumed, or -EINVAL / -ERANGE
    long value;         // what bpf_strtol wrote
    long snprintf_ret;  // the length bpf_snprintf wanted, NUL included
    char line[40];      // bpf_snprintf's output (truncated to 40 bytes, NUL-terminated)
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct result);
} results SEC(".maps");

// Both strings are constants the compiler puts in .rodata: a read-only map, as
// ARG_PTR_TO_CONST_STR requires.
static const char prefix[] = "SET ";
static const char fmt[] = "SET port=%ld (%ld chars) from %pI4";

SEC("xdp")
int xdp_strings(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP) return XDP_PASS;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(9000)) return XDP_PASS;

    char cmd[CMD_LEN] = {};
    if (bpf_xdp_load_bytes(ctx, sizeof(*eth) + sizeof(*ip) + sizeof(*udp), cmd, sizeof(cmd)) < 0)
        return XDP_ABORTED;  // fewer than 16 payload bytes

    __u32 key = 0;
    struct result *r = bpf_map_lookup_elem(&results, &key);
    if (!r) return XDP_ABORTED;
    r->strncmp_ret = bpf_strncmp(cmd, 4, prefix);
    if (r->strncmp_ret != 0) return XDP_DROP;

    long value = 0;
    r->strtol_ret = bpf_strtol(cmd + 4, CMD_LEN - 4, 10, &value);
    r->value = value;
    if (r->strtol_ret < 0) return XDP_DROP;

    __u64 args[3] = {value, r->strtol_ret, (__u64)(long)&ip->saddr};
    r->snprintf_ret = bpf_snprintf(r->line, sizeof(r->line), fmt, args, sizeof(args));
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";  // bpf_snprintf is GPL-only
