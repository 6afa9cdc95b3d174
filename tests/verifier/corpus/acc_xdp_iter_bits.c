#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct bpf_iter_bits { __u64 __opaque[2]; } __attribute__((aligned(8)));
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;
// Accepted: the bits set in a word, walked with the two-slot bpf_iter_bits.
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u64 word = ctx->data_end - ctx->data;
  struct bpf_iter_bits it;
  int *bit, n = 0;
  bpf_iter_bits_new(&it, &word, 1);
  while ((bit = bpf_iter_bits_next(&it))) n += *bit;
  bpf_iter_bits_destroy(&it);
  return n & 3;
}
