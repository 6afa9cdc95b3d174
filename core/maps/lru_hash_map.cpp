#include "core/maps/lru_hash_map.hpp"

namespace bpfplay {

std::unique_ptr<LruHashMap> LruHashMap::make(const MapSpec& spec) {
    std::unique_ptr<LruHashMap> map(new LruHashMap(spec));
    if (!map->init()) return nullptr;
    map->recency_.init(map->allocated_slots());
    return map;
}

uint32_t LruHashMap::take_free_slot() {
    uint32_t s = HashMap::take_free_slot();
    if (s != KeyIndex::kNone) return s;
    const uint32_t victim = recency_.back();
    if (victim == SlotList::kNone) return KeyIndex::kNone;  // max_entries >= 1: unreachable
    unlink(victim);  // its slot goes on the free stack, and comes straight back off it
    return HashMap::take_free_slot();
}

std::vector<std::vector<uint8_t>> LruHashMap::keys_by_recency() const {
    std::vector<std::vector<uint8_t>> keys;
    for (uint32_t s = recency_.back(); s != SlotList::kNone; s = recency_.prev(s))
        keys.emplace_back(key_ptr(s), key_ptr(s) + key_size());
    return keys;
}

}  // namespace bpfplay
