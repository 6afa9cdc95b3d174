#pragma once
// BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: hash maps that, when full, make
// room for a new key by evicting an old entry instead of failing with -E2BIG.
//
// The kernel's LRU is approximate (kernel/bpf/bpf_lru_list.c): active/inactive lists, a
// "ref" bit set on use, per-CPU free lists, batch shrinking -- which entry goes depends on
// timing and on which CPU updates. bpfplay implements TRUE LRU instead, so eviction is exact
// and explainable: a program's lookup and any update (program or userspace) make an entry
// the most recently used; a new key in a full map evicts the least recently used entry.
// Userspace lookups and get_next_key do not count as a use (as in the kernel).
//
// Deliberate differences from the kernel, all in the direction of "no surprise eviction":
// - Replacing an existing key updates its value in place. (htab_lru_map_update_elem first takes
//   a free node, so in a full map even a replace evicts some other entry.) Its place in
//   get_next_key's order is the kernel's all the same: the newest of its bucket (hash_map.hpp).
// - An update that fails its flags check (BPF_NOEXIST on an existing key, BPF_EXIST on a
//   missing one) evicts nothing. (The kernel may already have evicted to get a node.)
// - BPF_F_NO_COMMON_LRU (per-CPU LRU lists) is accepted and rounds max_entries to a multiple
//   of the CPU count as the kernel does, but there is still one LRU list.
#include <memory>
#include <vector>

#include "core/maps/hash_map.hpp"

namespace bpfplay {

class LruHashMap final : public HashMap {
public:
    static std::unique_ptr<LruHashMap> make(const MapSpec& spec);

    // Keys from the least to the most recently used: the next eviction comes first.
    std::vector<std::vector<uint8_t>> keys_by_recency() const;

protected:
    void on_used(uint32_t slot) override { recency_.move_to_front(slot); }
    void on_linked(uint32_t slot) override { recency_.push_front(slot); }
    void on_unlinked(uint32_t slot) override { recency_.remove(slot); }
    uint32_t take_free_slot() override;
    void on_grown(uint32_t slots) override { recency_.grow(slots); }
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

private:
    explicit LruHashMap(const MapSpec& spec) : HashMap(spec) {}

    SlotList recency_;  // front: most recently used, back: least
};

}  // namespace bpfplay
