#pragma once
// BPF_MAP_TYPE_PROG_ARRAY and BPF_MAP_TYPE_ARRAY_OF_MAPS: arrays whose values are references
// (the kernel stores object pointers and takes fds from userspace). Here a prog_array slot
// holds a program index and an array_of_maps slot a map id of the owning MapSet. Slots start
// empty. Programs never address these values: a prog_array is only for bpf_tail_call, and a
// lookup in an array_of_maps returns the inner map's handle (kernel/bpf/arraymap.c).
#include <memory>
#include <vector>

#include "core/maps/map.hpp"

namespace bpfplay {

class FdArrayMap final : public Map {
public:
    static uint64_t footprint(const MapSpec& spec);
    static std::unique_ptr<FdArrayMap> make(const MapSpec& spec);

    // The program index (prog_array) or map id (array_of_maps) at `index`, if set.
    std::optional<uint32_t> reference_at(uint32_t index) const;

    uint32_t count() const override { return count_; }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;

protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) override;
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

private:
    explicit FdArrayMap(const MapSpec& spec);

    std::vector<uint8_t> present_;  // per index: 1 when set
    uint32_t count_ = 0;
};

}  // namespace bpfplay
