#include "core/host/obj_heap.hpp"

#include <cstring>

namespace bpfplay {

ObjHeap::ObjHeap() { chunks_.chunk_bytes = kSlotBytes; }

std::optional<uint32_t> ObjHeap::allocate(uint32_t size, uint32_t type_id, std::string type_name,
                                          std::vector<GraphField> fields) {
    if (objects_.size() >= kMaxObjects) return std::nullopt;
    HeapObject o;
    o.size = size;
    o.type_id = type_id;
    o.type_name = std::move(type_name);
    o.fields = std::move(fields);
    o.bytes = std::make_unique<uint8_t[]>(kSlotBytes);
    std::memset(o.bytes.get(), 0, kSlotBytes);
    chunks_.chunks.push_back(o.bytes.get());
    chunks_.used.push_back(size);
    chunks_.limit = uint64_t(chunks_.chunks.size()) * kSlotBytes;
    objects_.push_back(std::move(o));
    return uint32_t(objects_.size() - 1);
}

void ObjHeap::undo_allocate() {
    if (objects_.empty()) return;
    objects_.pop_back();
    chunks_.chunks.pop_back();
    chunks_.used.pop_back();
    chunks_.limit = uint64_t(chunks_.chunks.size()) * kSlotBytes;
}

std::unique_ptr<uint8_t[]> ObjHeap::free(uint32_t index) {
    chunks_.chunks[index] = nullptr;
    return std::move(objects_[index].bytes);
}

void ObjHeap::restore(uint32_t index, std::unique_ptr<uint8_t[]> bytes) {
    chunks_.chunks[index] = bytes.get();
    objects_[index].bytes = std::move(bytes);
}

std::optional<uint32_t> ObjHeap::object_at(uint64_t addr) const {
    if ((addr >> 32) != window::kHeap) return std::nullopt;
    const uint64_t index = (addr - window_base(window::kHeap)) / kSlotBytes;
    if (index >= objects_.size() || !objects_[index].bytes) return std::nullopt;
    if (addr - address(uint32_t(index)) >= objects_[index].size) return std::nullopt;
    return uint32_t(index);
}

std::shared_ptr<ObjHeap> ObjHeap::clone() const {
    auto copy = std::make_shared<ObjHeap>();
    for (const HeapObject& o : objects_) {
        HeapObject c;
        c.size = o.size;
        c.type_id = o.type_id;
        c.type_name = o.type_name;
        c.fields = o.fields;
        if (o.bytes) {
            c.bytes = std::make_unique<uint8_t[]>(kSlotBytes);
            std::memcpy(c.bytes.get(), o.bytes.get(), kSlotBytes);
        }
        copy->chunks_.chunks.push_back(c.bytes.get());
        copy->chunks_.used.push_back(o.size);
        copy->objects_.push_back(std::move(c));
    }
    copy->chunks_.limit = uint64_t(copy->chunks_.chunks.size()) * kSlotBytes;
    return copy;
}

uint32_t ObjHeap::live_count() const {
    uint32_t n = 0;
    for (const HeapObject& o : objects_) n += o.bytes ? 1 : 0;
    return n;
}

void ObjHeap::map_into(Memory& memory) const {
    memory.map_chunked(window::kHeap, RegionKind::Data, kReadWrite, &chunks_, kMaxObjects * kSlotBytes,
                       "objects allocated with bpf_obj_new");
    memory.set_hint(window::kHeap,
                    "An object is yours from bpf_obj_new until bpf_obj_drop, or until a list or tree that "
                    "owns it is freed; pop it (bpf_list_pop_front, bpf_rbtree_remove) to use it again.");
}

}  // namespace bpfplay
