// graph_kfuncs.c -- objects the program allocates itself (bpf_obj_new / bpf_obj_drop), kept in
// a linked list (bpf_list_*) and a red-black tree (bpf_rbtree_*) that live in global data.
//
// Teaches: the kernel's "graph" kfuncs (Linux 6.2+; bpf_list_front/back and bpf_rbtree_root/
// left/right 6.16+).
//   - bpf_obj_new(struct item) allocates a zeroed struct item, a type of the PROGRAM's BTF (the
//     macro passes bpf_core_type_id_local). The program owns it and must give it away (push it
//     into a list or tree) or free it (bpf_obj_drop) before it exits.
//   - A struct bpf_list_head / bpf_rb_root says which objects it holds with a BTF decl tag,
//     __contains(item, node): objects of struct item, linked through their `node` field. It
//     needs a bpf_spin_lock beside it (the same global data section: private(A) puts both in
//     ".data.A"), held around every list and tree call.
//   - Pushing an object into a list gives it to the list: the pointer becomes "non-owning" and
//     is good only until the lock is released. Popping gives ownership back; the kfuncs return
//     the NODE's address, container_of turns it back into the object's.
//   - A node that is in a list already cannot be pushed again: with a struct bpf_refcount in the
//     object, bpf_refcount_acquire makes a second owning pointer to it, and pushing that one
//     fails with -EINVAL (the kernel drops the reference it was given).
//   - bpf_rbtree_add calls the program's `less` callback to find where a node goes.
//   - bpf_obj_drop of an object that holds a list frees the list's objects too.
//
// Try: run `graph` (a syscall program: any 8-byte ctx) and read `results` slot by slot (the
// enum below numbers them). Step through it in the debugger: the objects are at 0x12800000000
// and up, one per 4 KiB; a dropped one can no longer be read.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <stdbool.h>

// The kernel's graph structs (uapi <linux/bpf.h> of Linux 6.2+; Debian 12's headers are 6.1's).
struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));
struct bpf_list_node {
	__u64 __opaque[3];
} __attribute__((aligned(8)));
struct bpf_rb_root {
	__u64 __opaque[2];
} __attribute__((aligned(8)));
struct bpf_rb_node {
	__u64 __opaque[4];
} __attribute__((aligned(8)));
struct bpf_refcount {
	__u32 __opaque[1];
} __attribute__((aligned(4)));

// What the kernel selftests' bpf_experimental.h declares.
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta,
				    __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta,
				   __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym;

extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta,
			       __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;

#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_refcount_acquire(kptr) bpf_refcount_acquire_impl(kptr, NULL)
#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, NULL, 0)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, NULL, 0)

struct item {
	__u64 value;
	struct bpf_list_node node;
	struct bpf_refcount ref;
};

// An object that holds a list of its own (with its own lock).
struct bag {
	struct bpf_spin_lock lock;
	struct bpf_list_head items __contains(item, node);
};

// The list lives in a hash map's value, beside its lock. (A list or tree may also live in
// global data: see the tree below.)
struct list_holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(item, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct list_holder);
} lists SEC(".maps");

// The tree lives in global data: private(B) puts the lock and the root in ".data.B".
struct tnode {
	__u64 key;
	struct bpf_rb_node rb;
};

private(B) struct bpf_spin_lock tree_lock;
private(B) struct bpf_rb_root tree __contains(tnode, rb);

__u64 less_calls;  // in .bss: how many questions the adds asked

// Called by bpf_rbtree_add under the lock: is a's key below b's?
static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	less_calls++;
	return container_of(a, struct tnode, rb)->key < container_of(b, struct tnode, rb)->key;
}

enum {
	PUSH_RESULTS,   // the five pushes' results or'ed together: 0
	FRONT_VALUE,    // bpf_list_front's object: 10 (pushed to the front last)
	BACK_VALUE,     // bpf_list_back's: 4
	DOUBLE_PUSH,    // pushing a node that is in the list already: -EINVAL (-22)
	POP_ORDER,      // popped front, back, front, back, front: 0xa4132 (one hex digit each)
	EMPTY_POPS,     // pops that found the list empty (of 6): 1
	BAG_DROPPED,    // bpf_obj_drop of a bag holding 2 items: 1
	TREE_ADDS,      // the seven adds' results or'ed together: 0
	TREE_SHAPE,     // keys of root, its left, its right, right's right: 0x20104060
	TREE_FIRST,     // bpf_rbtree_first: 0x10
	SHAPE_AFTER,    // the same after removing the root (0x20): 0x30106070
	TREE_ORDER,     // the rest, removed by bpf_rbtree_first again and again: 0x103040506070
	SLOTS = 16,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

// The shape as one number: the keys of the root, its children and its right child's right.
static __s64 shape(void)
{
	struct bpf_rb_node *r, *n;
	__s64 out = 0;

	r = bpf_rbtree_root(&tree);
	if (!r)
		return -1;
	out = container_of(r, struct tnode, rb)->key << 24;
	n = bpf_rbtree_left(&tree, r);
	if (n)
		out |= container_of(n, struct tnode, rb)->key << 16;
	n = bpf_rbtree_right(&tree, r);
	if (n) {
		out |= container_of(n, struct tnode, rb)->key << 8;
		n = bpf_rbtree_right(&tree, n);
		if (n)
			out |= container_of(n, struct tnode, rb)->key;
	}
	return out;
}

static __noinline int tree_part(void)
{
	struct bpf_rb_node *rn;
	struct tnode *t;
	__s64 added = 0, shape_before, first = -1, shape_after, order = 0;
	int i;

	// 0x10, 0x20, ... 0x70 in ascending order: the tree rebalances as it grows.
	for (i = 1; i <= 7; i++) {
		t = bpf_obj_new(struct tnode);
		if (!t)
			return 1;
		t->key = i * 0x10;
		bpf_spin_lock(&tree_lock);
		added |= bpf_rbtree_add(&tree, &t->rb, less);
		bpf_spin_unlock(&tree_lock);
	}
	put(TREE_ADDS, added);

	bpf_spin_lock(&tree_lock);
	shape_before = shape();
	rn = bpf_rbtree_first(&tree);
	if (rn)
		first = container_of(rn, struct tnode, rb)->key;
	// Remove the root (a node with two children): its successor takes its place.
	rn = bpf_rbtree_root(&tree);
	if (rn)
		rn = bpf_rbtree_remove(&tree, rn);
	shape_after = shape();
	bpf_spin_unlock(&tree_lock);
	if (rn)
		bpf_obj_drop(container_of(rn, struct tnode, rb));
	put(TREE_SHAPE, shape_before);
	put(TREE_FIRST, first);
	put(SHAPE_AFTER, shape_after);

	// Empty it smallest first.
	for (i = 0; i < 7; i++) {
		bpf_spin_lock(&tree_lock);
		rn = bpf_rbtree_first(&tree);
		if (rn)
			rn = bpf_rbtree_remove(&tree, rn);
		bpf_spin_unlock(&tree_lock);
		if (!rn)
			break;
		t = container_of(rn, struct tnode, rb);
		order = order * 256 + t->key;
		bpf_obj_drop(t);
	}
	put(TREE_ORDER, order);
	return 0;
}

SEC("syscall")
int graph(void *ctx)
{
	struct bpf_list_node *ln;
	struct item *it, *again;
	struct bag *bag;
	__s64 pushed = 0, order = 0, empty = 0, double_push = 1, front = -1, back = -1;
	int i;

	struct list_holder empty_holder = {}, *h;
	__u32 key = 0;

	bpf_map_update_elem(&lists, &key, &empty_holder, BPF_NOEXIST);
	h = bpf_map_lookup_elem(&lists, &key);
	if (!h)
		return 1;

	// 1, 2, 3, 4 at the back, then 10 at the front: the list is 10 1 2 3 4.
	for (i = 1; i <= 5; i++) {
		it = bpf_obj_new(struct item);
		if (!it)
			return 1;
		it->value = i == 5 ? 10 : i;
		bpf_spin_lock(&h->lock);
		if (i == 5)
			pushed |= bpf_list_push_front(&h->head, &it->node);
		else
			pushed |= bpf_list_push_back(&h->head, &it->node);
		bpf_spin_unlock(&h->lock);
	}
	put(PUSH_RESULTS, pushed);

	// Looking without taking: front and back give non-owning pointers, valid under the lock
	// (which allows no helper calls: the values are kept in locals until it is released).
	bpf_spin_lock(&h->lock);
	ln = bpf_list_front(&h->head);
	if (ln) {
		it = container_of(ln, struct item, node);
		front = it->value;
		// A second owning reference to the front object; its node is in the list already.
		again = bpf_refcount_acquire(it);
		if (again)
			double_push = bpf_list_push_back(&h->head, &again->node);
	}
	ln = bpf_list_back(&h->head);
	if (ln)
		back = container_of(ln, struct item, node)->value;
	bpf_spin_unlock(&h->lock);
	put(FRONT_VALUE, front);
	put(BACK_VALUE, back);
	put(DOUBLE_PUSH, double_push);

	// Taking them out, from both ends; the sixth pop finds the list empty.
	for (i = 0; i < 6; i++) {
		bpf_spin_lock(&h->lock);
		ln = (i & 1) ? bpf_list_pop_back(&h->head) : bpf_list_pop_front(&h->head);
		bpf_spin_unlock(&h->lock);
		if (!ln) {
			empty++;
			continue;
		}
		it = container_of(ln, struct item, node);
		order = order * 16 + it->value;
		bpf_obj_drop(it);
	}
	put(POP_ORDER, order);
	put(EMPTY_POPS, empty);
	// The element goes (with its list, empty now: a list that still held objects would free them).
	bpf_map_delete_elem(&lists, &key);

	// A bag with two items in its own list: dropping the bag drops them.
	bag = bpf_obj_new(struct bag);
	if (!bag)
		return 1;
	for (i = 0; i < 2; i++) {
		it = bpf_obj_new(struct item);
		if (!it) {
			bpf_obj_drop(bag);
			return 1;
		}
		it->value = 100 + i;
		bpf_spin_lock(&bag->lock);
		bpf_list_push_back(&bag->items, &it->node);
		bpf_spin_unlock(&bag->lock);
	}
	bpf_obj_drop(bag);
	put(BAG_DROPPED, 1);

	tree_part();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
