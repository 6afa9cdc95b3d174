#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 __opaque[1]; } __attribute__((aligned(4)));
struct pair { __u64 a; __u32 b; };
struct item { __u64 value; struct bpf_list_node node; struct bpf_refcount ref; __u32 tail; };
// Refused: a read past the end of the allocated struct.
SEC("syscall") int prog(void *ctx) { struct pair *p = bpf_obj_new(struct pair); if (!p) return 0;
  int r = *(volatile __u32 *)((char *)p + 16); bpf_obj_drop(p); return r; }
