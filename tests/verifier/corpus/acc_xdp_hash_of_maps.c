#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a hash of maps works as an array of maps: NULL-check the inner map, then look up in it.
struct inner { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } inner1 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } outer SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx) { __u32 k = 7; void *m = bpf_map_lookup_elem(&outer, &k); if (!m) return 1; __u64 *v = bpf_map_lookup_elem(m, &k); if (!v) return 2; return *v & 3; }
