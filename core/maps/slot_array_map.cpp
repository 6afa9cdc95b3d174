#include "core/maps/slot_array_map.hpp"

#include "core/maps/array_map.hpp"
#include "core/maps/map_state.hpp"
#include "core/memory.hpp"

namespace bpfplay {

SlotArrayMap::SlotArrayMap(const MapSpec& spec, uint32_t slot_bytes, bool program_visible)
    : Map(spec, spec.max_entries, slot_bytes, program_visible), present_(spec.max_entries, 0) {}

void SlotArrayMap::mark_set(uint32_t index) {
    if (!present_[index]) ++count_;
    present_[index] = 1;
}

bool SlotArrayMap::clear(uint32_t index) {
    if (!is_set(index)) return false;
    present_[index] = 0;
    --count_;
    return true;
}

int64_t SlotArrayMap::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    return array_get_next_key(max_entries(), key_or_null, next_key);
}

void SlotArrayMap::for_each_entry(const EntryVisitor& visit) const {
    uint8_t key[4];
    for (uint32_t i = 0; i < max_entries(); ++i) {
        if (!present_[i]) continue;
        store_le<uint32_t>(key, i);
        if (!visit(std::span<const uint8_t>(key, 4), i)) return;
    }
}

std::optional<std::vector<uint8_t>> SlotArrayMap::key_of_slot(uint32_t slot) const {
    if (!is_set(slot)) return std::nullopt;
    std::vector<uint8_t> key(4);
    store_le<uint32_t>(key.data(), slot);
    return key;
}

void SlotArrayMap::save_extra(StateWriter& w) const {
    w.vec(present_);
    w.pod(count_);
}

void SlotArrayMap::restore_extra(StateReader& r) {
    r.vec(present_);
    r.pod(count_);
}

} // namespace bpfplay
