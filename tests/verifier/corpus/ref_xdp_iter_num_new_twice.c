#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
// Refused: new on an iterator already set up (and not destroyed).
SEC("xdp") int prog(struct xdp_md *ctx) {
  struct bpf_iter_num it;
  bpf_iter_num_new(&it, 0, 10);
  bpf_iter_num_new(&it, 0, 20);
  bpf_iter_num_destroy(&it);
  return 2;
}
