#pragma once
// The kernel's red-black tree (lib/rbtree.c, include/linux/rbtree.h) on the emulated memory:
// bpf_rb_root is a struct rb_root_cached and every bpf_rb_node starts with a struct rb_node, so
// the tree bpfplay builds has the kernel's exact shape and colours (bpf_rbtree_root, _left and
// _right show it to the program). Every word goes through the checked, journaled memory path.
#include <cstdint>

namespace bpfplay {

class Vm;

// rb_link_node(node, parent, link) then rb_insert_color_cached(node, root, leftmost), where
// link is parent's left (as_left) or right child; parent 0 links the root.
void rb_link_and_insert(Vm& vm, uint64_t root, uint64_t node, uint64_t parent, bool as_left, bool leftmost);
// rb_erase_cached(node, root) then RB_CLEAR_NODE(node).
void rb_erase_and_clear(Vm& vm, uint64_t root, uint64_t node);
// The node's left / right child (0: none).
uint64_t rb_left_of(Vm& vm, uint64_t node);
uint64_t rb_right_of(Vm& vm, uint64_t node);

}  // namespace bpfplay
