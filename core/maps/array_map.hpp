#pragma once
// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: max_entries preallocated, zeroed values
// indexed by a u32 key. Every index always exists: lookups past the end miss, updates past
// the end are -E2BIG, BPF_NOEXIST is -EEXIST and delete is -EINVAL (kernel/bpf/arraymap.c).
#include <memory>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

class ArrayMap final : public Map {
public:
    // Host bytes the map needs (checked against kMaxMapBytes before creating it).
    static uint64_t footprint(const MapSpec& spec);
    // True for arrays too large to allocate at creation (over kEagerMapBytes, not global data
    // or BPF_F_MMAPABLE): every element exists and reads as zeros, and memory is taken a chunk
    // at a time where elements are written (katran's 33.5M-entry ch_rings). A write that would
    // take the map past kMaxMapBytes fails (-ENOMEM from an update).
    static bool zero_lazily(const MapSpec& spec);
    // array_map_alloc_check (also the base of the fd arrays' check).
    static MapCheckResult alloc_check(const MapCheck& c);
    // nullptr when the host has no memory for the values.
    static std::unique_ptr<ArrayMap> make(const MapSpec& spec);

    uint32_t count() const override { return max_entries(); }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;

protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) override;
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;

private:
    explicit ArrayMap(const MapSpec& spec);
};

// array_map_get_next_key, shared with the fd arrays: NULL or out-of-range key -> index 0,
// the last index -> -ENOENT, else index + 1.
int64_t array_get_next_key(uint32_t max_entries, const uint8_t* key_or_null, uint8_t* next_key);

}  // namespace bpfplay
