#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct bpf_iter_num); } its SEC(".maps");
// Refused: an iterator lives on the stack, not in a map value.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 k = 0;
  struct bpf_iter_num *it = bpf_map_lookup_elem(&its, &k);
  if (!it) return 2;
  bpf_iter_num_new(it, 0, 10);
  bpf_iter_num_destroy(it);
  return 2;
}
