#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 __opaque[1]; } __attribute__((aligned(4)));
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_refcount_acquire(kptr) bpf_refcount_acquire_impl(kptr, NULL)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
struct ritem { __u64 value; struct bpf_list_node node; struct bpf_refcount ref; };
struct pair { __u64 a; __u32 b; };
// The contained struct must be in the object's BTF (else Linux refuses the BTF), so a global
// points at one.
struct ritem *ritem_anchor;
struct holder { struct bpf_spin_lock lock; struct bpf_list_head head __contains(ritem, node); };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, struct holder); } lists SEC(".maps");
// Refused: struct nitem has a list node but no bpf_refcount.
struct nitem { __u64 value; struct bpf_list_node node; };
SEC("syscall") int prog(void *ctx) { struct nitem *p = bpf_obj_new(struct nitem); if (!p) return 0;
  struct nitem *q = bpf_refcount_acquire(p); if (q) bpf_obj_drop(q); bpf_obj_drop(p); return 0; }
