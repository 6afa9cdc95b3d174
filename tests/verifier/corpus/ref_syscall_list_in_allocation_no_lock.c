#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
struct item { __u64 value; struct bpf_list_node node; };
struct pair { __u64 a; __u32 b; };
// An allocated object with its own lock and list.
struct bag { struct bpf_spin_lock lock; struct bpf_list_head items __contains(item, node); };
struct holder { struct bpf_spin_lock lock; __u64 n; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct holder); } locks SEC(".maps");
// Refused: a push into a bag's list without the bag's lock.
SEC("syscall") int prog(void *ctx) { struct bag *b = bpf_obj_new(struct bag); if (!b) return 0;
  struct item *p = bpf_obj_new(struct item); if (!p) { bpf_obj_drop(b); return 0; }
  bpf_list_push_back(&b->items, &p->node); bpf_obj_drop(b); return 0; }
