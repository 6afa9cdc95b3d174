#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
#define NAKED __attribute__((naked))
struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } inner1 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } outer SEC(".maps") = { .values = { &inner1 } };
// Accepted: a lookup in an array of maps gives the inner map after its NULL check; a lookup in that map gives its value.
SEC("xdp") int prog(struct xdp_md *ctx) { __u32 k = 0, j = 1; void *m = bpf_map_lookup_elem(&outer, &k); if (!m) return 1; __u32 *v = bpf_map_lookup_elem(m, &j); if (!v) return 2; return *v & 3; }
