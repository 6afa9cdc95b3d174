#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
struct pair { __u64 a; __u32 b; };
// The head's contains: tag names a struct the object's BTF lacks (nothing uses struct item), so
// Linux refuses the BTF and libbpf loads the object without it.
struct holder { struct bpf_spin_lock lock; struct bpf_list_head head __contains(item, node); };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, struct holder); } lists SEC(".maps");
// Refused: bpf_obj_new needs the program's BTF.
SEC("syscall") int prog(void *ctx) { struct pair *p = bpf_obj_new(struct pair); if (!p) return 0; bpf_obj_drop(p); return 0; }
