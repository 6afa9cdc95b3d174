#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, NULL, 0)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
struct item { __u64 value; struct bpf_list_node node; };
struct other { __u32 x; struct bpf_list_node node; };
// The contained struct must be in the object's BTF (else Linux refuses the BTF: a contains: tag
// naming no struct), so a global points at one.
struct item *item_anchor;
struct holder { struct bpf_spin_lock lock; struct bpf_list_head head __contains(item, node); };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 2); __type(key, __u32); __type(value, struct holder); } lists SEC(".maps");
// Accepted: an object pushed into a map value's list under its lock, popped back and dropped.
SEC("syscall") int prog(void *ctx) { __u32 z = 0; struct holder *h = bpf_map_lookup_elem(&lists, &z); if (!h) return 0;
  struct item *p = bpf_obj_new(struct item); if (!p) return 0; p->value = 5;
  bpf_spin_lock(&h->lock); bpf_list_push_back(&h->head, &p->node); bpf_spin_unlock(&h->lock);
  bpf_spin_lock(&h->lock); struct bpf_list_node *n = bpf_list_pop_front(&h->head); bpf_spin_unlock(&h->lock);
  if (!n) return 0; struct item *q = container_of(n, struct item, node); int r = q->value; bpf_obj_drop(q); return r; }
