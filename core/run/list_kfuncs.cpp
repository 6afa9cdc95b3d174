// The linked list kfuncs (kernel/bpf/helpers.c) on lists whose bpf_list_head lives in a map value
// or in global data, and whose nodes are the bpf_list_node fields of objects from bpf_obj_new.
// The head and the nodes hold the kernel's own words (next, prev, and each node's owner: the
// head it is in), so a head the map zeroed is an empty list the first push initialises, as
// __bpf_list_add does. Push takes the program's ownership of the object: a node that is in a
// list already makes the push fail with -EINVAL and the object is dropped. Pop gives ownership
// back (the node's address: the program's container_of finds the object); front and back only
// look. The `off` argument (the node's offset in its object) is the verifier's to fill in; the
// emulator finds the object from the node's address.
#include <string>

#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/run/graph_objects.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using helper_error::fail;
using namespace list_layout;

// The head's first word; a head the map left zeroed is made an empty list (INIT_LIST_HEAD).
// nullopt after stopping the run when r1 is not writable memory.
std::optional<uint64_t> head_next(Vm& vm, const char* kfunc, uint64_t head) {
    if (!graph_root_allowed(vm, head, GraphFieldKind::ListHead) || !vm.memory().helper_ptr(head, kHeadBytes, true)) {
        fail(vm, kfunc,
             "r1 = " + hex(head) +
                 " is not a struct bpf_list_head in a map value, global data or an allocated object: the kernel's verifier "
                 "refuses the call",
             "Pass the address of a `struct bpf_list_head` field declared with __contains(type, node field).");
        return std::nullopt;
    }
    const uint64_t next = *graph_read(vm, head + kNext);
    if (next != 0) return next;
    graph_write(vm, head + kNext, head);
    graph_write(vm, head + kPrev, head);
    return head;
}

// The object whose bpf_list_node is at `node`; nullopt after stopping the run.
std::optional<uint32_t> node_object(Vm& vm, const char* kfunc, Host& host, uint64_t node) {
    const std::optional<uint32_t> index = host.heap ? host.heap->object_at(node) : std::nullopt;
    if (index && has_graph_field_at(host.heap->object(*index), GraphFieldKind::ListNode,
                                    uint32_t(node - ObjHeap::address(*index))))
        return index;
    fail(vm, kfunc,
         "r2 = " + hex(node) +
             " is not the bpf_list_node of an object the program owns: the kernel's verifier refuses the call",
         "Pass &obj->node of an object from bpf_obj_new (or one popped from a list).");
    return std::nullopt;
}

uint64_t push(Vm& vm, const char* kfunc, uint64_t head, uint64_t node, bool tail) {
    Host* host = host_for(vm, kfunc);
    if (!host) return 0;
    const std::optional<uint64_t> first = head_next(vm, kfunc, head);
    if (!first) return 0;
    const std::optional<uint32_t> index = node_object(vm, kfunc, *host, node);
    // The list (or, failing, the drop) takes the program's reference.
    if (!index || !graph_give_back(vm, *host, kfunc, "r2", *index)) return 0;
    if (*graph_read(vm, node + kOwner) != 0) {  // in a list already (or being added to one)
        graph_drop(vm, *host->heap, *index);
        return helper_errno(kEINVAL);
    }
    // list_add (after the head) or list_add_tail (before it).
    const uint64_t prev = tail ? *graph_read(vm, head + kPrev) : head;
    const uint64_t next = tail ? head : *first;
    graph_write(vm, next + kPrev, node);
    graph_write(vm, node + kNext, next);
    graph_write(vm, node + kPrev, prev);
    graph_write(vm, prev + kNext, node);
    graph_write(vm, node + kOwner, head);
    return 0;
}

uint64_t push_front(Vm& vm, uint64_t head, uint64_t node, uint64_t, uint64_t, uint64_t) {
    return push(vm, "bpf_list_push_front_impl", head, node, false);
}

uint64_t push_back(Vm& vm, uint64_t head, uint64_t node, uint64_t, uint64_t, uint64_t) {
    return push(vm, "bpf_list_push_back_impl", head, node, true);
}

// __bpf_list_del: NULL for an empty list or a node another head owns; else list_del_init and
// the owner cleared.
uint64_t pop(Vm& vm, const char* kfunc, uint64_t head, bool tail) {
    Host* host = host_for(vm, kfunc);
    if (!host) return 0;
    const std::optional<uint64_t> first = head_next(vm, kfunc, head);
    if (!first || *first == head) return 0;
    const uint64_t n = tail ? *graph_read(vm, head + kPrev) : *first;
    const std::optional<uint64_t> owner = graph_read(vm, n + kOwner);
    if (!owner || *owner != head) return 0;
    const uint64_t next = *graph_read(vm, n + kNext), prev = *graph_read(vm, n + kPrev);
    graph_write(vm, next + kPrev, prev);
    graph_write(vm, prev + kNext, next);
    graph_write(vm, n + kNext, n);
    graph_write(vm, n + kPrev, n);
    graph_write(vm, n + kOwner, 0);
    if (const std::optional<uint32_t> index = host->heap ? host->heap->object_at(n) : std::nullopt)
        graph_acquired(vm, *host, *index, kfunc);
    return n;
}

uint64_t pop_front(Vm& vm, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
    return pop(vm, "bpf_list_pop_front", head, false);
}

uint64_t pop_back(Vm& vm, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
    return pop(vm, "bpf_list_pop_back", head, true);
}

// bpf_list_front / bpf_list_back: NULL for an empty (or never used, zeroed) list; they change
// nothing, not even a zeroed head.
uint64_t peek(Vm& vm, const char* kfunc, uint64_t head, uint32_t which) {
    const std::optional<uint64_t> next = graph_read(vm, head + kNext);
    if (!next || !graph_root_allowed(vm, head, GraphFieldKind::ListHead) ||
        !vm.memory().helper_ptr(head, kHeadBytes, false)) {
        fail(vm, kfunc,
             "r1 = " + hex(head) +
                 " is not a struct bpf_list_head in a map value, global data or an allocated object: the kernel's "
                 "verifier refuses the call");
        return 0;
    }
    if (*next == head || *next == 0) return 0;
    return *graph_read(vm, head + which);
}

uint64_t list_front(Vm& vm, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
    return peek(vm, "bpf_list_front", head, kNext);
}

uint64_t list_back(Vm& vm, uint64_t head, uint64_t, uint64_t, uint64_t, uint64_t) {
    return peek(vm, "bpf_list_back", head, kPrev);
}

constexpr KfuncImpl kListKfuncImpls[] = {
    {"bpf_list_back", list_back},
    {"bpf_list_front", list_front},
    {"bpf_list_pop_back", pop_back},
    {"bpf_list_pop_front", pop_front},
    {"bpf_list_push_back_impl", push_back},
    {"bpf_list_push_front_impl", push_front},
};

}  // namespace

std::span<const KfuncImpl> list_kfunc_impls() { return kListKfuncImpls; }

}  // namespace bpfplay
