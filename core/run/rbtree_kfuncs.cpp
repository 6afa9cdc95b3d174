// The red-black tree kfuncs (kernel/bpf/helpers.c) on trees whose bpf_rb_root lives in a map
// value or in global data, and whose nodes are the bpf_rb_node fields of objects from
// bpf_obj_new. bpf_rbtree_add_impl walks down from the root asking the program's less(node,
// parent) callback at each node -- a callback frame per question, so the debugger steps into
// every comparison -- and links the node where the walk falls off the tree, rebalancing as
// lib/rbtree.c does (rbtree_ops.hpp). A node that is in a tree already makes the add fail with
// -EINVAL and the object is dropped. bpf_rbtree_remove gives ownership back (NULL for a node
// this root does not own); first, root, left and right only look.
#include <string>

#include "core/callback.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/run/callback_helpers.hpp"
#include "core/run/graph_objects.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/rbtree_ops.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using helper_error::fail;
using namespace rb_layout;

constexpr uint16_t kLessArgs = 0x6;  // r1 = the node added, r2 = the node it is compared with

bool check_root(Vm& vm, const char* kfunc, uint64_t root) {
    if (graph_root_allowed(vm, root, GraphFieldKind::RbRoot) && vm.memory().helper_ptr(root, kRootBytes, true))
        return true;
    fail(vm, kfunc,
         "r1 = " + hex(root) + " is not a struct bpf_rb_root in a map value, global data or an allocated object: the "
                               "kernel's verifier refuses the call",
         "Pass the address of a `struct bpf_rb_root` field declared with __contains(type, node field).");
    return false;
}

// The object whose bpf_rb_node is at `node`; nullopt after stopping the run.
std::optional<uint32_t> node_object(Vm& vm, const char* kfunc, Host& host, uint64_t node) {
    const std::optional<uint32_t> index = host.heap ? host.heap->object_at(node) : std::nullopt;
    if (index && has_graph_field_at(host.heap->object(*index), GraphFieldKind::RbNode,
                                    uint32_t(node - ObjHeap::address(*index))))
        return index;
    fail(vm, kfunc,
         "r2 = " + hex(node) + " is not the bpf_rb_node of an allocated object: the kernel's verifier refuses the call",
         "Pass &obj->node of an object from bpf_obj_new (or of one the tree gave back).");
    return std::nullopt;
}

// One step of __bpf_rbtree_add's walk, after less(node, s.position) answered s.ctx: on to the
// child it picks, or, past the tree's edge, the node is linked there.
bool rbtree_add_next(Vm& vm, uint32_t, CallbackState& s, uint64_t args[5]) {
    const uint64_t root = s.map, node = s.limit;
    if (s.calls > 0) {
        const uint64_t parent = s.position;
        const bool less = s.ctx != 0;
        const uint64_t child = less ? rb_left_of(vm, parent) : rb_right_of(vm, parent);
        if (!child) {
            // The walk went left all the way iff it ended under the leftmost node, on its left.
            const bool leftmost = less && graph_read(vm, root + kRootLeftmost).value_or(0) == parent;
            rb_link_and_insert(vm, root, node, parent, less, leftmost);
            graph_write(vm, node + kOwner, root);
            return false;
        }
        s.position = child;
    }
    args[0] = node;
    args[1] = s.position;
    args[2] = args[3] = args[4] = 0;
    return true;
}

uint64_t rbtree_add(Vm& vm, uint64_t root, uint64_t node, uint64_t less, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_rbtree_add_impl";
    Host* host = host_for(vm, kName);
    if (!host || !check_root(vm, kName, root)) return 0;
    const std::optional<uint32_t> index = node_object(vm, kName, *host, node);
    if (!index) return 0;
    const std::optional<uint32_t> entry = callback_entry(vm, kName, less, 3);
    // The tree (or, failing, the drop) takes the program's reference.
    if (!entry || !graph_give_back(vm, *host, kName, "r2", *index)) return 0;
    if (*graph_read(vm, node + kOwner) != 0) {  // in a tree already (or being added to one)
        graph_drop(vm, *host->heap, *index);
        return helper_errno(kEINVAL);
    }
    const uint64_t top = *graph_read(vm, root + kRootNode);
    if (!top) {  // an empty tree: no question to ask
        rb_link_and_insert(vm, root, node, 0, true, true);
        graph_write(vm, node + kOwner, root);
        return 0;
    }
    CallbackState s;
    s.kind = CallbackKind::RbtreeAdd;
    s.entry = *entry;
    s.position = top;
    s.limit = node;
    s.map = root;
    s.next = &rbtree_add_next;
    s.arg_mask = kLessArgs;
    vm.helper_call_back(s);
    return 0;
}

uint64_t rbtree_remove(Vm& vm, uint64_t root, uint64_t node, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_rbtree_remove";
    Host* host = host_for(vm, kName);
    if (!host || !check_root(vm, kName, root)) return 0;
    const std::optional<uint32_t> index = node_object(vm, kName, *host, node);
    if (!index) return 0;
    if (*graph_read(vm, node + kOwner) != root) return 0;  // in no tree, or in another one
    rb_erase_and_clear(vm, root, node);
    graph_write(vm, node + kOwner, 0);
    graph_acquired(vm, *host, *index, kName);
    return node;
}

uint64_t rbtree_first(Vm& vm, uint64_t root, uint64_t, uint64_t, uint64_t, uint64_t) {
    if (!check_root(vm, "bpf_rbtree_first", root)) return 0;
    return *graph_read(vm, root + kRootLeftmost);
}

uint64_t rbtree_root(Vm& vm, uint64_t root, uint64_t, uint64_t, uint64_t, uint64_t) {
    if (!check_root(vm, "bpf_rbtree_root", root)) return 0;
    return *graph_read(vm, root + kRootNode);
}

// bpf_rbtree_left / _right: NULL unless the node is in this tree.
uint64_t child(Vm& vm, const char* kfunc, uint64_t root, uint64_t node, bool left) {
    Host* host = host_for(vm, kfunc);
    if (!host || !check_root(vm, kfunc, root) || !node_object(vm, kfunc, *host, node)) return 0;
    if (*graph_read(vm, node + kOwner) != root) return 0;
    return left ? rb_left_of(vm, node) : rb_right_of(vm, node);
}

uint64_t rbtree_left(Vm& vm, uint64_t root, uint64_t node, uint64_t, uint64_t, uint64_t) {
    return child(vm, "bpf_rbtree_left", root, node, true);
}

uint64_t rbtree_right(Vm& vm, uint64_t root, uint64_t node, uint64_t, uint64_t, uint64_t) {
    return child(vm, "bpf_rbtree_right", root, node, false);
}

constexpr KfuncImpl kRbtreeKfuncImpls[] = {
    {"bpf_rbtree_add_impl", rbtree_add},
    {"bpf_rbtree_first", rbtree_first},
    {"bpf_rbtree_left", rbtree_left},
    {"bpf_rbtree_remove", rbtree_remove},
    {"bpf_rbtree_right", rbtree_right},
    {"bpf_rbtree_root", rbtree_root},
};

}  // namespace

std::span<const KfuncImpl> rbtree_kfunc_impls() { return kRbtreeKfuncImpls; }

}  // namespace bpfplay
