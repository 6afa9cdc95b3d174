#pragma once
// The objects a program allocates with bpf_obj_new (kernel/bpf/helpers.c): each is a zeroed
// instance of one of the program's own BTF structs, living until bpf_obj_drop (or the drop of
// the list or tree that owns it). They outlive runs, as the kernel's do when a map's list or
// tree holds them, so the heap belongs to the Host and every run maps it at window::kHeap.
//
// Object i lives in chunk i of the window (kSlotBytes each, at window_base(kHeap) + i *
// kSlotBytes): addresses are the same on every replay of a run. A freed object's chunk is
// removed, so any later access to it faults with its address; slots are never reused, so a
// stale pointer never reaches a newer object.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/memory.hpp"

namespace bpfplay {

// The special fields of an allocated object's type the emulated kernel acts on (the kernel's
// btf_record: BPF_LIST_HEAD, BPF_LIST_NODE, BPF_RB_ROOT, BPF_RB_NODE, BPF_REFCOUNT, and the
// BPF_SPIN_LOCK that guards an object's own lists and trees).
enum class GraphFieldKind : uint8_t { ListHead, ListNode, RbRoot, RbNode, Refcount, SpinLock };

struct GraphField {
    GraphFieldKind kind = GraphFieldKind::ListHead;
    uint32_t offset = 0;  // from the object's start
};

struct HeapObject {
    uint32_t size = 0;     // the BTF struct's size
    uint32_t type_id = 0;  // in the program's BTF
    std::string type_name;  // "struct elem", for the debugger and messages
    std::vector<GraphField> fields;
    std::unique_ptr<uint8_t[]> bytes;  // kSlotBytes; null once freed
};

class ObjHeap {
public:
    // bpf_mem_alloc's largest size class: every object it serves (kMemAllocMaxObject,
    // core/btf/special_fields.hpp) fits in one slot.
    static constexpr uint32_t kSlotBytes = 4096;
    static constexpr uint32_t kMaxObjects = 1u << 16;

    ObjHeap();
    ObjHeap(const ObjHeap&) = delete;
    ObjHeap& operator=(const ObjHeap&) = delete;

    static constexpr uint64_t address(uint32_t index) {
        return window_base(window::kHeap) + uint64_t(index) * kSlotBytes;
    }
    // A new zeroed object; nullopt when kMaxObjects have been allocated.
    std::optional<uint32_t> allocate(uint32_t size, uint32_t type_id, std::string type_name,
                                     std::vector<GraphField> fields);
    // Takes the newest object away again (stepping back over its allocation).
    void undo_allocate();
    // Frees object `index`: its chunk leaves the window. Returns its bytes for an undo.
    std::unique_ptr<uint8_t[]> free(uint32_t index);
    // Puts a freed object's bytes back (stepping back over the free).
    void restore(uint32_t index, std::unique_ptr<uint8_t[]> bytes);

    // The live object whose bytes hold `addr`.
    std::optional<uint32_t> object_at(uint64_t addr) const;
    const HeapObject& object(uint32_t index) const { return objects_[index]; }
    uint8_t* bytes(uint32_t index) { return objects_[index].bytes.get(); }
    uint32_t count() const { return uint32_t(objects_.size()); }
    uint32_t live_count() const;

    // A copy with its own bytes (the debugger keeps one to go back to a session's start).
    std::shared_ptr<ObjHeap> clone() const;

    // Maps the window (read-write, chunked) into a run's memory.
    void map_into(Memory& memory) const;

private:
    std::vector<HeapObject> objects_;
    ChunkedBytes chunks_;
};

}  // namespace bpfplay
