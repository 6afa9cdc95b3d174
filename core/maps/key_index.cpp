#include "core/maps/key_index.hpp"

#include <cstring>

namespace bpfplay {

uint64_t KeyIndex::table_size_for(uint64_t slots) {
    // At most half full: every probe sequence ends at an empty entry after a few steps.
    uint64_t n = 8;
    while (n < 2 * slots) n <<= 1;
    return n;
}

uint64_t KeyIndex::bytes_for(uint64_t slots) { return table_size_for(slots) * 4 + slots * 4; }

uint32_t KeyIndex::hash(const uint8_t* key, uint32_t size) {
    constexpr uint64_t kMul = 0xff51afd7ed558ccdull;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ size;
    uint32_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        std::memcpy(&w, key + i, 8);
        h = (h ^ w) * kMul;
        h ^= h >> 32;
    }
    if (i < size) {
        uint64_t w = 0;
        std::memcpy(&w, key + i, size - i);
        h = (h ^ w) * kMul;
        h ^= h >> 32;
    }
    // murmur3's finalizer: every input bit affects the low bits the table uses.
    h ^= h >> 33;
    h *= kMul;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return uint32_t(h);
}

void KeyIndex::init(const uint8_t* keys, uint32_t key_size, uint32_t slots) {
    keys_ = keys;
    key_size_ = key_size;
    const uint64_t n = table_size_for(slots);
    table_.assign(n, kNone);
    hashes_.assign(slots, 0);
    mask_ = uint32_t(n - 1);
}

void KeyIndex::grow(uint32_t slots, const std::vector<uint8_t>& indexed) {
    hashes_.resize(slots, 0);
    const uint64_t n = table_size_for(slots);
    if (n == table_.size()) return;
    table_.assign(n, kNone);
    mask_ = uint32_t(n - 1);
    for (uint32_t s = 0; s < indexed.size(); ++s)
        if (indexed[s]) insert(s);
}

uint32_t KeyIndex::find(const uint8_t* key) const {
    const uint32_t h = hash(key, key_size_);
    for (uint32_t i = h & mask_;; i = (i + 1) & mask_) {
        const uint32_t s = table_[i];
        if (s == kNone) return kNone;
        if (hashes_[s] == h && std::memcmp(key_at(s), key, key_size_) == 0) return s;
    }
}

void KeyIndex::insert(uint32_t slot) {
    const uint32_t h = hash(key_at(slot), key_size_);
    hashes_[slot] = h;
    uint32_t i = h & mask_;
    while (table_[i] != kNone) i = (i + 1) & mask_;
    table_[i] = slot;
}

uint32_t KeyIndex::position_of(uint32_t slot) const {
    uint32_t i = hashes_[slot] & mask_;
    while (table_[i] != slot) i = (i + 1) & mask_;
    return i;
}

void KeyIndex::erase(uint32_t slot) {
    uint32_t hole = position_of(slot);
    // Backward shift: pull later members of the probe run into the hole when their home
    // position allows it, so no run is ever broken by an empty entry.
    for (uint32_t j = (hole + 1) & mask_; table_[j] != kNone; j = (j + 1) & mask_) {
        const uint32_t home = hashes_[table_[j]] & mask_;
        const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            table_[hole] = table_[j];
            hole = j;
        }
    }
    table_[hole] = kNone;
}

void KeyIndex::replace(uint32_t old_slot, uint32_t new_slot) {
    table_[position_of(old_slot)] = new_slot;
    hashes_[new_slot] = hashes_[old_slot];
}

}  // namespace bpfplay
