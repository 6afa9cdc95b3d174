#pragma once
// What the graph kfuncs share (bpf_obj_new and drop, the list and rbtree kfuncs): the layout of
// the kernel's bpf_list_head / bpf_list_node / bpf_rb_root / bpf_rb_node, the special fields of
// a program's struct, and dropping an object as kernel/bpf/helpers.c's __bpf_obj_drop_impl does
// (a refcount decrement, else the lists and trees it holds are freed and then the object).
// Every byte they change goes through the checked memory path and the run's journal, and every
// allocation and free is an undo action, so stepping back restores the heap exactly.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/host/obj_heap.hpp"

namespace bpfplay {

class Btf;
class Vm;
struct Host;

// struct list_head (bpf_list_head is one) and bpf_list_node_kern: { list_head; void *owner; }.
namespace list_layout {
constexpr uint32_t kNext = 0, kPrev = 8, kOwner = 16, kNodeBytes = 24, kHeadBytes = 16;
}
// struct rb_node { __rb_parent_color; rb_right; rb_left; } in bpf_rb_node_kern, then owner;
// bpf_rb_root is rb_root_cached { rb_node; rb_leftmost; }.
namespace rb_layout {
constexpr uint32_t kParentColor = 0, kRight = 8, kLeft = 16, kOwner = 24, kNodeBytes = 32;
constexpr uint32_t kRootNode = 0, kRootLeftmost = 8, kRootBytes = 16;
}

// The special fields of struct `type_id` of `btf` (through nested structs), in offset order.
std::vector<GraphField> graph_fields(const Btf& btf, uint32_t type_id);
// The offset of `kind`'s first field in an object, if it has one.
std::optional<uint32_t> graph_field_offset(const HeapObject& o, GraphFieldKind kind);
bool has_graph_field_at(const HeapObject& o, GraphFieldKind kind, uint32_t offset);

// The references to allocated objects the program owns, kept with the run's other references
// (kernel_refs.hpp): an owning pointer is acquired by bpf_obj_new, a pop, bpf_rbtree_remove and
// bpf_refcount_acquire, and given back by bpf_obj_drop, a push or an add (whatever it returns),
// so an exit still holding one is refused as the kernel's verifier refuses it.
void graph_acquired(Vm& vm, Host& host, uint32_t index, const char* by);
// Gives back the program's reference to object `index`; false after stopping the run when it
// holds none (the pointer is a non-owning one: a list or tree owns the object).
bool graph_give_back(Vm& vm, Host& host, const char* kfunc, const char* reg, uint32_t index);

// Whether `addr` may hold a head or root of `kind` (ListHead, RbRoot): inside a map value (global
// data is one), or that field of an allocated object. The kernel's verifier refuses any other.
bool graph_root_allowed(Vm& vm, uint64_t addr, GraphFieldKind kind);

// The run's heap, made (and mapped into the run's memory) the first time it is needed.
ObjHeap& heap_of(Vm& vm, Host& host);

// Reading and writing the kernel's words in program memory (map values, global data, heap
// objects). Reads of memory that is not mapped give nullopt / false; writes are journaled.
std::optional<uint64_t> graph_read(Vm& vm, uint64_t addr);
bool graph_write(Vm& vm, uint64_t addr, uint64_t value);

// A new object of `size` bytes with its fields initialised as bpf_obj_init does; nullopt when
// the heap is full. Journaled.
std::optional<uint64_t> graph_allocate(Vm& vm, ObjHeap& heap, uint32_t size, uint32_t type_id,
                                       std::string type_name, std::vector<GraphField> fields);
// __bpf_obj_drop_impl: object `index` loses a reference; at none, the lists and trees it holds
// drop theirs (bpf_obj_free_fields) and it is freed.
void graph_drop(Vm& vm, ObjHeap& heap, uint32_t index);
// bpf_list_head_free: every object of the list at `head` is dropped, the head left empty.
void graph_list_free(Vm& vm, ObjHeap& heap, uint64_t head);
// bpf_rb_root_free: every object of the tree at `root` is dropped (post-order), the root left empty.
void graph_rbtree_free(Vm& vm, ObjHeap& heap, uint64_t root);

}  // namespace bpfplay
