#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <stdbool.h>
char _license[] SEC("license") = "GPL";
struct bpf_rb_root { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 __opaque[4]; } __attribute__((aligned(8)));
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))
#undef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, NULL, 0)
struct tnode { __u64 key; struct bpf_rb_node rb; };
struct other { __u64 key; __u64 pad; struct bpf_rb_node rb; };
struct tnode *tnode_anchor;  // the contains: type must be in the object's BTF
private(T) struct bpf_spin_lock tree_lock;
private(T) struct bpf_rb_root tree __contains(tnode, rb);
__u64 less_calls;
static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{ less_calls++; return container_of(a, struct tnode, rb)->key < container_of(b, struct tnode, rb)->key; }
// Accepted: three adds in a loop (less is called under the lock), the first removed and dropped.
SEC("syscall") int prog(void *ctx) { int r = 0;
  for (int i = 1; i <= 3; i++) { struct tnode *t = bpf_obj_new(struct tnode); if (!t) return 0; t->key = i;
    bpf_spin_lock(&tree_lock); r |= bpf_rbtree_add(&tree, &t->rb, less); bpf_spin_unlock(&tree_lock); }
  bpf_spin_lock(&tree_lock); struct bpf_rb_node *n = bpf_rbtree_first(&tree); if (n) n = bpf_rbtree_remove(&tree, n); bpf_spin_unlock(&tree_lock);
  if (n) bpf_obj_drop(container_of(n, struct tnode, rb)); return r; }
