#include "core/run/rbtree_ops.hpp"

#include "core/run/graph_objects.hpp"

namespace bpfplay {

namespace {

using namespace rb_layout;

constexpr uint64_t kRed = 0, kBlack = 1;

// The kernel's accessors, one word at a time. A node the program can reach is always mapped
// (the kfuncs checked it); an unmapped word reads 0, as a missing child.
struct RbTree {
    Vm& vm;
    uint64_t root;  // the struct rb_root_cached

    uint64_t word(uint64_t a) const { return graph_read(vm, a).value_or(0); }
    void set(uint64_t a, uint64_t v) const { graph_write(vm, a, v); }

    uint64_t pc(uint64_t n) const { return word(n + kParentColor); }
    uint64_t parent(uint64_t n) const { return pc(n) & ~uint64_t(3); }
    bool is_black(uint64_t n) const { return pc(n) & 1; }
    bool is_red(uint64_t n) const { return !is_black(n); }
    uint64_t left(uint64_t n) const { return word(n + kLeft); }
    uint64_t right(uint64_t n) const { return word(n + kRight); }
    void set_left(uint64_t n, uint64_t v) const { set(n + kLeft, v); }
    void set_right(uint64_t n, uint64_t v) const { set(n + kRight, v); }
    void set_pc(uint64_t n, uint64_t v) const { set(n + kParentColor, v); }
    void set_parent_color(uint64_t n, uint64_t p, uint64_t color) const { set_pc(n, p | color); }
    void set_parent(uint64_t n, uint64_t p) const { set_pc(n, p | (pc(n) & 1)); }
    void set_black(uint64_t n) const { set_pc(n, pc(n) | kBlack); }
    uint64_t top() const { return word(root + kRootNode); }

    // __rb_change_child
    void change_child(uint64_t old_node, uint64_t new_node, uint64_t p) const {
        if (p) {
            if (left(p) == old_node)
                set_left(p, new_node);
            else
                set_right(p, new_node);
        } else {
            set(root + kRootNode, new_node);
        }
    }
    // __rb_rotate_set_parents
    void rotate_set_parents(uint64_t old_node, uint64_t new_node, uint64_t color) const {
        const uint64_t p = parent(old_node);
        set_pc(new_node, pc(old_node));
        set_parent_color(old_node, new_node, color);
        change_child(old_node, new_node, p);
    }

    // __rb_insert
    void insert_color(uint64_t node) const {
        uint64_t p = parent(node);  // rb_red_parent: node is red
        for (;;) {
            if (!p) {
                set_parent_color(node, 0, kBlack);
                return;
            }
            if (is_black(p)) return;
            const uint64_t g = parent(p);
            uint64_t tmp = right(g);
            if (p != tmp) {  // p is g's left child
                if (tmp && is_red(tmp)) {  // case 1: red uncle, colour flips
                    set_parent_color(tmp, g, kBlack);
                    set_parent_color(p, g, kBlack);
                    node = g;
                    p = parent(node);
                    set_parent_color(node, p, kRed);
                    continue;
                }
                tmp = right(p);
                if (node == tmp) {  // case 2: left rotate at p
                    tmp = left(node);
                    set_right(p, tmp);
                    set_left(node, p);
                    if (tmp) set_parent_color(tmp, p, kBlack);
                    set_parent_color(p, node, kRed);
                    p = node;
                    tmp = right(node);
                }
                // case 3: right rotate at g
                set_left(g, tmp);
                set_right(p, g);
                if (tmp) set_parent_color(tmp, g, kBlack);
                rotate_set_parents(g, p, kRed);
                return;
            }
            tmp = left(g);
            if (tmp && is_red(tmp)) {
                set_parent_color(tmp, g, kBlack);
                set_parent_color(p, g, kBlack);
                node = g;
                p = parent(node);
                set_parent_color(node, p, kRed);
                continue;
            }
            tmp = left(p);
            if (node == tmp) {  // right rotate at p
                tmp = right(node);
                set_left(p, tmp);
                set_right(node, p);
                if (tmp) set_parent_color(tmp, p, kBlack);
                set_parent_color(p, node, kRed);
                p = node;
                tmp = left(node);
            }
            // left rotate at g
            set_right(g, tmp);
            set_left(p, g);
            if (tmp) set_parent_color(tmp, g, kBlack);
            rotate_set_parents(g, p, kRed);
            return;
        }
    }

    // __rb_erase_augmented with no augmentation: unlinks node, returns the parent to rebalance
    // from (0: none needed).
    uint64_t erase(uint64_t node) const {
        const uint64_t child = right(node);
        uint64_t tmp = left(node);
        uint64_t rebalance = 0;
        if (!tmp) {
            const uint64_t npc = pc(node);
            const uint64_t p = npc & ~uint64_t(3);
            change_child(node, child, p);
            if (child)
                set_pc(child, npc);
            else
                rebalance = (npc & 1) ? p : 0;
            return rebalance;
        }
        if (!child) {
            const uint64_t npc = pc(node);
            set_pc(tmp, npc);
            change_child(node, tmp, npc & ~uint64_t(3));
            return 0;
        }
        uint64_t successor = child, p = 0, child2 = 0;
        tmp = left(child);
        if (!tmp) {  // the successor is node's right child
            p = successor;
            child2 = right(successor);
        } else {  // the successor is leftmost under node's right child
            do {
                p = successor;
                successor = tmp;
                tmp = left(tmp);
            } while (tmp);
            child2 = right(successor);
            set_left(p, child2);
            set_right(successor, child);
            set_parent(child, successor);
        }
        tmp = left(node);
        set_left(successor, tmp);
        set_parent(tmp, successor);
        const uint64_t npc = pc(node);
        change_child(node, successor, npc & ~uint64_t(3));
        if (child2) {
            set_parent_color(child2, p, kBlack);
            rebalance = 0;
        } else {
            rebalance = is_black(successor) ? p : 0;
        }
        set_pc(successor, npc);
        return rebalance;
    }

    // ____rb_erase_color
    void erase_color(uint64_t p) const {
        uint64_t node = 0, sibling, tmp1, tmp2;
        for (;;) {
            sibling = right(p);
            if (node != sibling) {  // node is p's left child
                if (is_red(sibling)) {  // case 1: left rotate at p
                    tmp1 = left(sibling);
                    set_right(p, tmp1);
                    set_left(sibling, p);
                    set_parent_color(tmp1, p, kBlack);
                    rotate_set_parents(p, sibling, kRed);
                    sibling = tmp1;
                }
                tmp1 = right(sibling);
                if (!tmp1 || is_black(tmp1)) {
                    tmp2 = left(sibling);
                    if (!tmp2 || is_black(tmp2)) {  // case 2: sibling colour flip
                        set_parent_color(sibling, p, kRed);
                        if (is_red(p)) {
                            set_black(p);
                        } else {
                            node = p;
                            p = parent(node);
                            if (p) continue;
                        }
                        return;
                    }
                    // case 3: right rotate at sibling
                    tmp1 = right(tmp2);
                    set_left(sibling, tmp1);
                    set_right(tmp2, sibling);
                    set_right(p, tmp2);
                    if (tmp1) set_parent_color(tmp1, sibling, kBlack);
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                // case 4: left rotate at p, colour flips
                tmp2 = left(sibling);
                set_right(p, tmp2);
                set_left(sibling, p);
                set_parent_color(tmp1, sibling, kBlack);
                if (tmp2) set_parent(tmp2, p);
                rotate_set_parents(p, sibling, kBlack);
                return;
            }
            sibling = left(p);
            if (is_red(sibling)) {  // case 1: right rotate at p
                tmp1 = right(sibling);
                set_left(p, tmp1);
                set_right(sibling, p);
                set_parent_color(tmp1, p, kBlack);
                rotate_set_parents(p, sibling, kRed);
                sibling = tmp1;
            }
            tmp1 = left(sibling);
            if (!tmp1 || is_black(tmp1)) {
                tmp2 = right(sibling);
                if (!tmp2 || is_black(tmp2)) {
                    set_parent_color(sibling, p, kRed);
                    if (is_red(p)) {
                        set_black(p);
                    } else {
                        node = p;
                        p = parent(node);
                        if (p) continue;
                    }
                    return;
                }
                // case 3: left rotate at sibling
                tmp1 = left(tmp2);
                set_right(sibling, tmp1);
                set_left(tmp2, sibling);
                set_left(p, tmp2);
                if (tmp1) set_parent_color(tmp1, sibling, kBlack);
                tmp1 = sibling;
                sibling = tmp2;
            }
            // case 4: right rotate at p, colour flips
            tmp2 = right(sibling);
            set_left(p, tmp2);
            set_right(sibling, p);
            set_parent_color(tmp1, sibling, kBlack);
            if (tmp2) set_parent(tmp2, p);
            rotate_set_parents(p, sibling, kBlack);
            return;
        }
    }

    // rb_next
    uint64_t next(uint64_t node) const {
        if (parent(node) == node) return 0;  // RB_EMPTY_NODE
        if (uint64_t r = right(node)) {
            while (uint64_t l = left(r)) r = l;
            return r;
        }
        uint64_t p;
        while ((p = parent(node)) && node == right(p)) node = p;
        return p;
    }
};

}  // namespace

void rb_link_and_insert(Vm& vm, uint64_t root, uint64_t node, uint64_t parent, bool as_left, bool leftmost) {
    const RbTree t{vm, root};
    t.set_pc(node, parent);  // rb_link_node: red, under parent
    t.set_left(node, 0);
    t.set_right(node, 0);
    if (!parent)
        t.set(root + kRootNode, node);
    else if (as_left)
        t.set_left(parent, node);
    else
        t.set_right(parent, node);
    if (leftmost) t.set(root + kRootLeftmost, node);
    t.insert_color(node);
}

void rb_erase_and_clear(Vm& vm, uint64_t root, uint64_t node) {
    const RbTree t{vm, root};
    if (t.word(root + kRootLeftmost) == node) t.set(root + kRootLeftmost, t.next(node));
    if (const uint64_t rebalance = t.erase(node)) t.erase_color(rebalance);
    t.set_pc(node, node);  // RB_CLEAR_NODE
}

uint64_t rb_left_of(Vm& vm, uint64_t node) { return graph_read(vm, node + kLeft).value_or(0); }
uint64_t rb_right_of(Vm& vm, uint64_t node) { return graph_read(vm, node + kRight).value_or(0); }

}  // namespace bpfplay
