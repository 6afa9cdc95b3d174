#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Refused: a sign-extended word compared as unsigned from below only (>= 1) may still be
// negative as a 64-bit number: no packet offset the kernel can bound.
SEC("xdp") int prog(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  long i = end - data;
  asm volatile("%[i] <<= 32; %[i] s>>= 32" : [i] "+r"(i));
  if ((unsigned int)i < 1) return 2;
  unsigned char *p = data + i;
  if (p + 1 > end) return 2;
  return *p & 3;
}
