#pragma once
// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO), kernel/bpf/queue_stack_maps.c.
//
// No keys (key_size 0). Programs use bpf_map_push_elem / pop / peek, which copy values in and
// out of the program's own memory: no program ever holds a pointer into the map, so its values
// are not mapped into the program's address space. User space pushes with BPF_MAP_UPDATE_ELEM,
// peeks with BPF_MAP_LOOKUP_ELEM and pops with BPF_MAP_LOOKUP_AND_DELETE_ELEM.
//
// Layout, as the kernel's: a ring of max_entries + 1 slots with a head (where the next push
// goes) and a tail (the oldest value). A queue pops at the tail, a stack just below the head.
// Pushing into a full map is -E2BIG, unless the flags say BPF_EXIST: then the oldest value
// (the tail) is dropped to make room -- for a stack too, the bottom one.
#include <memory>
#include <string>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

class QueueStackMap final : public Map {
  public:
    static uint64_t footprint(const MapSpec& spec);
    // queue_stack_map_alloc_check.
    static MapCheckResult alloc_check(const MapCheck& c);
    // nullptr when the host has no memory for the values.
    static std::unique_ptr<QueueStackMap> make(const MapSpec& spec);

    bool is_stack() const { return type() == MapType::Stack; }
    uint32_t count() const override;
    // The values in the order pops would return them (key: empty).
    void for_each_entry(const EntryVisitor& visit) const override;
    // An empty key for a slot that holds a value, nullopt for a free one.
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    // "#0 (front: popped next)", "#1", ... for a queue; "#0 (top: popped next)" ... for a stack.
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;
    std::string summary() const override;

  protected:
    // The verifier refuses lookup, update and delete on these maps; the kernel's ops would
    // answer NULL, -EINVAL and -EINVAL.
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override {
        return -kerrno::kEINVAL;
    }
    int64_t do_delete_elem(const uint8_t*) override { return -kerrno::kEINVAL; }
    // The syscall side: lookup peeks, update pushes, lookup-and-delete pops.
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t*, uint8_t*) override { return -kerrno::kEINVAL; }
    int64_t do_lookup_and_delete_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_push_elem(const uint8_t* value, uint64_t flags) override;
    int64_t do_pop_elem(uint8_t* value) override;
    int64_t do_peek_elem(uint8_t* value) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit QueueStackMap(const MapSpec& spec);
    // The slot the next pop takes, or nullopt when empty.
    std::optional<uint32_t> next_out() const;
    // Copies the next value out (and removes it when `remove`); -ENOENT when empty, where
    // `zero_when_empty` also clears `value` (what the kernel does to a program's buffer).
    int64_t get(uint8_t* value, bool remove, bool zero_when_empty);
    // Position of a slot in pop order (0: popped next), or nullopt when the slot is free.
    std::optional<uint32_t> position_of(uint32_t slot) const;

    uint32_t size_; // max_entries + 1: one slot always stays free, so head == tail is "empty"
    uint32_t head_ = 0;
    uint32_t tail_ = 0;
};

} // namespace bpfplay
