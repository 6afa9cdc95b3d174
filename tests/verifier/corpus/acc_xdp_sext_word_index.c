#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
// Accepted: a number sign-extended from its low word (shifted up and arithmetically down), then
// compared as an unsigned word with 31: the kernel carries the word's bounds to the 64-bit
// value (0..31), a packet offset it can bound.
SEC("xdp") int prog(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  long i = end - data;
  asm volatile("%[i] <<= 32; %[i] s>>= 32" : [i] "+r"(i));
  if ((unsigned int)i > 31) return 2;
  unsigned char *p = data + i;
  if (p + 1 > end) return 2;
  return *p & 3;
}
