// xdp_spin_lock: a counter pair updated under a bpf_spin_lock.
//
// Two fields that must change together (packets and bytes, and the largest packet seen) live
// in one map value with a struct bpf_spin_lock. What it teaches:
//   - the lock is a field of the map value, declared in its BTF (clang -g): the kernel finds it
//     there, and refuses bpf_spin_lock on a map without BTF;
//   - between bpf_spin_lock and bpf_spin_unlock the program may not call helpers (or global
//     functions), may not exit, and must unlock the very lock it took. The kernel's verifier
//     enforces this at load time; bpfplay stops the run with the verifier's words.
//   - the lock word itself is not for the program to read or write, and user space always sees
//     it as 0 (the kernel skips it when copying values out).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct stats {
    struct bpf_spin_lock lock;
    __u32 packets;
    __u64 bytes;
    __u64 largest;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct stats);
} stats SEC(".maps");

SEC("xdp")
int xdp_spin_lock(struct xdp_md *ctx) {
    __u64 len = ctx->data_end - ctx->data;
    __u32 key = 0;
    struct stats *s = bpf_map_lookup_elem(&stats, &key);
    if (!s) return XDP_ABORTED;

    bpf_spin_lock(&s->lock);
    s->packets++;
    s->bytes += len;
    if (len > s->largest) s->largest = len;
    bpf_spin_unlock(&s->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
