#pragma once
// An array map whose slots start empty and are set or cleared one by one (prog_array,
// perf_event_array, array_of_maps, devmap): keys are u32 indexes, only set slots are entries.
// What such maps share — which slots are set, how many, iterating and saving them — lives
// here; each subclass keeps its own update rules and value format.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/maps/map.hpp"

namespace bpfplay {

class SlotArrayMap : public Map {
  public:
    uint32_t count() const override { return count_; }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;

  protected:
    SlotArrayMap(const MapSpec& spec, uint32_t slot_bytes, bool program_visible);

    bool is_set(uint32_t index) const { return index < max_entries() && present_[index]; }
    void mark_set(uint32_t index);
    // Empties the slot; false when it was empty already.
    bool clear(uint32_t index);

    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    std::vector<uint8_t> present_; // per index: 1 when set
    uint32_t count_ = 0;
};

} // namespace bpfplay
