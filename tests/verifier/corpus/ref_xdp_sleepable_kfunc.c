#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, __u64 flags) __ksym;
// Refused: bpf_copy_from_user_str may sleep (KF_SLEEPABLE); an XDP program may not.
SEC("xdp") int prog(struct xdp_md *ctx) {
  char buf[16];
  bpf_copy_from_user_str(buf, sizeof(buf), (void *)0x1000, 0);
  return buf[0] & 3;
}
