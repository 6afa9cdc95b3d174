// Graph kfunc programs for tests/run/graph_kfuncs_test.cpp: paths a verified program can reach
// only rarely or never, which bpfplay must still run as the kernel's code would (most of these
// the kernel's verifier refuses: an owning pointer used after bpf_obj_drop, a node removed twice).
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -fdebug-prefix-map=$PWD=. -c tests/run/bpf/graph_misuse.c -o tests/run/bpf/graph_misuse.o
#include "graph_defs.h"

struct node {
	__u64 key;
	struct bpf_rb_node rb;
	struct bpf_refcount ref;
};

// Larger than bpf_mem_alloc's biggest size class once its 8-byte header is added.
struct big {
	char bytes[4089];
};

struct fits {
	char bytes[4088];
};

struct item;
private(T) struct bpf_spin_lock lock;
private(T) struct bpf_rb_root root __contains(node, rb);
private(T) struct bpf_list_head list __contains(item, node);

__s64 out[4];

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct node, rb)->key < container_of(b, struct node, rb)->key;
}

// Reads an object after dropping it: the load faults at the object's address.
SEC("syscall")
int use_after_drop(void *ctx)
{
	struct node *n = bpf_obj_new(struct node);

	if (!n)
		return 1;
	n->key = 7;
	bpf_obj_drop(n);
	return n->key;
}

// A second owning pointer to a node in the tree (bpf_refcount_acquire) added again: -EINVAL and
// that reference dropped (refcount 2 -> 1). Then the node is removed twice: the second remove
// finds it in no tree and returns NULL.
SEC("syscall")
int add_twice_remove_twice(void *ctx)
{
	struct bpf_rb_node *first, *again = 0;
	struct node *n, *m;

	n = bpf_obj_new(struct node);
	if (!n)
		return 1;
	n->key = 5;
	m = bpf_refcount_acquire(n);
	bpf_spin_lock(&lock);
	out[0] = bpf_rbtree_add(&root, &n->rb, less);
	if (m)
		out[1] = bpf_rbtree_add(&root, &m->rb, less);
	first = bpf_rbtree_first(&root);
	if (first) {
		first = bpf_rbtree_remove(&root, first);
		if (first)
			again = bpf_rbtree_remove(&root, first);
	}
	bpf_spin_unlock(&lock);
	out[2] = first ? 1 : 0;
	out[3] = again ? 1 : 0;
	if (first)
		bpf_obj_drop(container_of(first, struct node, rb));
	return 0;
}

// bpf_obj_new of a struct too big for bpf_mem_alloc gives NULL; one byte less fits.
SEC("syscall")
int sizes(void *ctx)
{
	struct big *b = bpf_obj_new(struct big);
	struct fits *f = bpf_obj_new(struct fits);

	out[0] = b ? 1 : 0;
	out[1] = f ? 1 : 0;
	if (b)
		bpf_obj_drop(b);
	if (f)
		bpf_obj_drop(f);
	return 0;
}

struct item {
	__u64 value;
	struct bpf_list_node node;
};

// Dropping an object twice: the second bpf_obj_drop stops the run.
SEC("syscall")
int drop_twice(void *ctx)
{
	struct item *it = bpf_obj_new(struct item);

	if (!it)
		return 1;
	bpf_obj_drop(it);
	bpf_obj_drop(it);
	return 0;
}

// A list head on the stack: the push stops the run (the kernel wants one in a map value or
// global data).
SEC("syscall")
int head_on_stack(void *ctx)
{
	struct bpf_list_head head = {};
	struct item *it = bpf_obj_new(struct item);

	if (!it)
		return 1;
	return bpf_list_push_back(&head, &it->node);
}

// Exits still owning an object.
SEC("syscall")
int leak(void *ctx)
{
	struct item *it = bpf_obj_new(struct item);

	return it ? 0 : 1;
}

// Drops an object it gave to a list (its pointer is a non-owning one after the push).
SEC("syscall")
int drop_pushed(void *ctx)
{
	struct item *it = bpf_obj_new(struct item);

	if (!it)
		return 1;
	bpf_spin_lock(&lock);
	bpf_list_push_back(&list, &it->node);
	bpf_spin_unlock(&lock);
	bpf_obj_drop(it);
	return 0;
}

struct pair {
	__u64 a;
	__u64 b;
};

// Reads the word after a 16-byte object, inside the 4 KiB slot the heap gives it: the load
// faults as outside the object (the kernel's verifier refuses it: off=16 size=8 past the struct).
SEC("syscall")
int read_past_end(void *ctx)
{
	struct pair *p = bpf_obj_new(struct pair);
	__u64 v;

	if (!p)
		return 1;
	v = ((volatile __u64 *)p)[2];
	bpf_obj_drop(p);
	return v;
}

char LICENSE[] SEC("license") = "GPL";
