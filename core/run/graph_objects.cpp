#include "core/run/graph_objects.hpp"

#include <algorithm>
#include <memory>
#include <string_view>

#include "core/btf/btf.hpp"
#include "core/btf/special_fields.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/journal.hpp"
#include "core/maps/map_set.hpp"
#include "core/hex.hpp"
#include "core/run/kernel_refs.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// The special fields an allocated object's kfuncs act on; the others they leave alone.
std::optional<GraphFieldKind> graph_kind_of(std::string_view struct_name) {
    const SpecialFieldRow* row = special_field_named(struct_name);
    if (!row) return std::nullopt;
    switch (row->field) {
    case SpecialField::ListHead: return GraphFieldKind::ListHead;
    case SpecialField::ListNode: return GraphFieldKind::ListNode;
    case SpecialField::RbRoot: return GraphFieldKind::RbRoot;
    case SpecialField::RbNode: return GraphFieldKind::RbNode;
    case SpecialField::Refcount: return GraphFieldKind::Refcount;
    case SpecialField::SpinLock: return GraphFieldKind::SpinLock;
    case SpecialField::ResSpinLock:
    case SpecialField::Timer:
    case SpecialField::Wq:
    case SpecialField::TaskWork: return std::nullopt;
    }
    return std::nullopt;
}

void collect_graph_fields(const Btf& btf, uint32_t type_id, uint32_t base, int depth, std::vector<GraphField>& out) {
    if (depth > 8) return;  // BTF validation refuses loops; this bounds deep nesting all the same
    for (const BtfMember& m : btf.members(type_id)) {
        const uint32_t t = btf.skip_modifiers(m.type);
        if (btf.kind(t) != BtfKind::Struct || m.bitfield_size) continue;
        const uint32_t off = base + m.bit_offset / 8;
        if (auto kind = graph_kind_of(btf.name(t)))
            out.push_back({*kind, off});
        else
            collect_graph_fields(btf, t, off, depth + 1, out);
    }
}

class UndoAllocate final : public UndoAction {
public:
    explicit UndoAllocate(std::shared_ptr<ObjHeap> heap) : heap_(std::move(heap)) {}
    void undo() override { heap_->undo_allocate(); }
    size_t bytes() const override { return sizeof *this; }

private:
    std::shared_ptr<ObjHeap> heap_;
};

class UndoFree final : public UndoAction {
public:
    UndoFree(std::shared_ptr<ObjHeap> heap, uint32_t index, std::unique_ptr<uint8_t[]> bytes)
        : heap_(std::move(heap)), index_(index), bytes_(std::move(bytes)) {}
    void undo() override { heap_->restore(index_, std::move(bytes_)); }
    size_t bytes() const override { return sizeof *this + ObjHeap::kSlotBytes; }

private:
    std::shared_ptr<ObjHeap> heap_;
    uint32_t index_;
    std::unique_ptr<uint8_t[]> bytes_;
};

// Stepping back over the run's first allocation: the window is unmapped again, and a heap this
// run made is gone (as it was before: the state, fingerprinted, is exactly the earlier one).
class UndoHeapMapping final : public UndoAction {
public:
    UndoHeapMapping(Host& host, Memory& memory, bool made) : host_(host), memory_(memory), made_(made) {}
    void undo() override {
        memory_.unmap(window::kHeap);
        if (made_) host_.heap.reset();
    }
    size_t bytes() const override { return sizeof *this; }

private:
    Host& host_;
    Memory& memory_;
    bool made_;
};

std::shared_ptr<ObjHeap> shared_heap(Vm& vm) {
    return vm.env && vm.env->host ? vm.env->host->heap : nullptr;
}

}  // namespace

std::vector<GraphField> graph_fields(const Btf& btf, uint32_t type_id) {
    std::vector<GraphField> out;
    collect_graph_fields(btf, type_id, 0, 0, out);
    std::sort(out.begin(), out.end(), [](const GraphField& a, const GraphField& b) { return a.offset < b.offset; });
    return out;
}

std::optional<uint32_t> graph_field_offset(const HeapObject& o, GraphFieldKind kind) {
    for (const GraphField& f : o.fields)
        if (f.kind == kind) return f.offset;
    return std::nullopt;
}

bool has_graph_field_at(const HeapObject& o, GraphFieldKind kind, uint32_t offset) {
    return std::any_of(o.fields.begin(), o.fields.end(),
                       [&](const GraphField& f) { return f.kind == kind && f.offset == offset; });
}

void graph_acquired(Vm& vm, Host& host, uint32_t index, const char* by) {
    acquire_reference(vm, host, ObjHeap::address(index), KernelObjectKind::Allocated, by);
}

bool graph_give_back(Vm& vm, Host& host, const char* kfunc, const char* reg, uint32_t index) {
    const uint64_t addr = ObjHeap::address(index);
    if (drop_reference(host, addr)) return true;
    vm.helper_fail(make_error(
        ErrorKind::Helper,
        std::string(kfunc) + ": " + reg + " points into " + host.heap->object(index).type_name + " at " + hex(addr) +
            ", which the program does not own (a list or tree holds it, or the program gave it away already): the "
            "kernel's verifier refuses the call (it takes an owning reference)",
        std::nullopt,
        "Only the result of bpf_obj_new, of a list pop or of bpf_rbtree_remove is the program's to give away, once."));
    return false;
}

bool graph_root_allowed(Vm& vm, uint64_t addr, GraphFieldKind kind) {
    if (!vm.env) return false;
    if (vm.env->maps && vm.env->maps->from_value_address(addr)) return true;
    const ObjHeap* heap = vm.env->host ? vm.env->host->heap.get() : nullptr;
    const std::optional<uint32_t> index = heap ? heap->object_at(addr) : std::nullopt;
    return index && has_graph_field_at(heap->object(*index), kind, uint32_t(addr - ObjHeap::address(*index)));
}

ObjHeap& heap_of(Vm& vm, Host& host) {
    const bool made = !host.heap;
    if (made) host.heap = std::make_shared<ObjHeap>();
    if (vm.memory().region(window::kHeap).kind == RegionKind::None) {
        host.heap->map_into(vm.memory());
        if (Journal* j = vm.journal()) j->external(std::make_unique<UndoHeapMapping>(host, vm.memory(), made));
    }
    return *host.heap;
}

std::optional<uint64_t> graph_read(Vm& vm, uint64_t addr) {
    const uint8_t* p = vm.memory().helper_ptr(addr, 8, false);
    if (!p) return std::nullopt;
    return load_le<uint64_t>(p);
}

bool graph_write(Vm& vm, uint64_t addr, uint64_t value) {
    uint8_t* p = vm.memory().helper_ptr(addr, 8, true);
    if (!p) return false;
    store_le<uint64_t>(p, value);
    return true;
}

std::optional<uint64_t> graph_allocate(Vm& vm, ObjHeap& heap, uint32_t size, uint32_t type_id,
                                       std::string type_name, std::vector<GraphField> fields) {
    const std::optional<uint32_t> index = heap.allocate(size, type_id, std::move(type_name), std::move(fields));
    if (!index) return std::nullopt;
    if (Journal* j = vm.journal()) j->external(std::make_unique<UndoAllocate>(shared_heap(vm)));
    const uint64_t addr = ObjHeap::address(*index);
    uint8_t* bytes = heap.bytes(*index);
    // bpf_obj_init_field, on bytes no one has seen yet (the undo takes them all away).
    for (const GraphField& f : heap.object(*index).fields) {
        uint8_t* p = bytes + f.offset;
        switch (f.kind) {
        case GraphFieldKind::Refcount: store_le<uint32_t>(p, 1); break;
        case GraphFieldKind::RbNode: store_le<uint64_t>(p + rb_layout::kParentColor, addr + f.offset); break;  // RB_CLEAR_NODE
        case GraphFieldKind::ListHead:
        case GraphFieldKind::ListNode:  // INIT_LIST_HEAD
            store_le<uint64_t>(p + list_layout::kNext, addr + f.offset);
            store_le<uint64_t>(p + list_layout::kPrev, addr + f.offset);
            break;
        case GraphFieldKind::RbRoot: break;  // RB_ROOT_CACHED is all zeros
        case GraphFieldKind::SpinLock: break;  // unlocked is 0
        }
    }
    return addr;
}

void graph_drop(Vm& vm, ObjHeap& heap, uint32_t index) {
    const uint64_t addr = ObjHeap::address(index);
    if (std::optional<uint32_t> ref = graph_field_offset(heap.object(index), GraphFieldKind::Refcount)) {
        uint8_t* p = vm.memory().helper_ptr(addr + *ref, 4, true);
        const uint32_t count = load_le<uint32_t>(p);
        store_le<uint32_t>(p, count - 1);  // refcount_dec_and_test
        if (count != 1) return;
    }
    // bpf_obj_free_fields: a copy, as dropping what a list holds never changes this object's fields.
    const std::vector<GraphField> fields = heap.object(index).fields;
    for (const GraphField& f : fields) {
        if (f.kind == GraphFieldKind::ListHead) graph_list_free(vm, heap, addr + f.offset);
        if (f.kind == GraphFieldKind::RbRoot) graph_rbtree_free(vm, heap, addr + f.offset);
    }
    std::unique_ptr<uint8_t[]> bytes = heap.free(index);
    if (Journal* j = vm.journal()) j->external(std::make_unique<UndoFree>(shared_heap(vm), index, std::move(bytes)));
}

void graph_list_free(Vm& vm, ObjHeap& heap, uint64_t head) {
    const std::optional<uint64_t> first = graph_read(vm, head + list_layout::kNext);
    if (!first || *first == 0 || *first == head) return;
    graph_write(vm, head + list_layout::kNext, head);  // INIT_LIST_HEAD(orig_head)
    graph_write(vm, head + list_layout::kPrev, head);
    uint64_t node = *first;
    while (node != head) {
        const std::optional<uint32_t> index = heap.object_at(node);
        const std::optional<uint64_t> next = graph_read(vm, node + list_layout::kNext);
        if (!index || !next) return;  // the list was written over: stop rather than walk garbage
        node = *next;
        graph_drop(vm, heap, *index);
    }
}

namespace {

// bpf_rbtree_postorder_for_each_entry_safe: left subtree, right subtree, then the node.
void drop_subtree(Vm& vm, ObjHeap& heap, uint64_t node, int depth) {
    if (node == 0 || depth > 128) return;
    const std::optional<uint64_t> left = graph_read(vm, node + rb_layout::kLeft);
    const std::optional<uint64_t> right = graph_read(vm, node + rb_layout::kRight);
    const std::optional<uint32_t> index = heap.object_at(node);
    if (!left || !right || !index) return;
    drop_subtree(vm, heap, *left, depth + 1);
    drop_subtree(vm, heap, *right, depth + 1);
    graph_drop(vm, heap, *index);
}

}  // namespace

void graph_rbtree_free(Vm& vm, ObjHeap& heap, uint64_t root) {
    const std::optional<uint64_t> top = graph_read(vm, root + rb_layout::kRootNode);
    if (!top || *top == 0) return;
    graph_write(vm, root + rb_layout::kRootNode, 0);  // RB_ROOT_CACHED
    graph_write(vm, root + rb_layout::kRootLeftmost, 0);
    drop_subtree(vm, heap, *top, 0);
}

}  // namespace bpfplay
