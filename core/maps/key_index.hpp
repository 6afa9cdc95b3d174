#pragma once
// Key bytes -> slot number for hash maps: open addressing with linear probing and
// backward-shift deletion (no tombstones, so lookups never slow down after many deletes).
// The table holds slot numbers only; the keys stay in the map's key array. The hash has a
// fixed seed, so every run (native or browser) builds the same table -- the kernel seeds its
// jhash randomly unless BPF_F_ZERO_SEED, which bpfplay has no need to imitate.
#include <cstdint>
#include <vector>

namespace bpfplay {

class KeyIndex {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    // Slot s's key is at keys + s * key_size; that array must outlive the index and not move
    // (after it moves, rebind).
    void init(const uint8_t* keys, uint32_t key_size, uint32_t slots);
    void rebind(const uint8_t* keys) { keys_ = keys; }
    // Room for `slots` slots (more than before); `indexed` says which slots are in the index
    // (they are inserted again, in slot order, when the table grows). Keys must be rebound first.
    void grow(uint32_t slots, const std::vector<uint8_t>& indexed);
    // Host bytes the index needs for `slots` slots (for the map's memory limit).
    static uint64_t bytes_for(uint64_t slots);
    static uint32_t hash(const uint8_t* key, uint32_t size);

    uint32_t find(const uint8_t* key) const;  // the slot holding this key, or kNone
    void insert(uint32_t slot);                // slot's key is stored and not yet indexed
    void erase(uint32_t slot);                 // slot is indexed
    void replace(uint32_t old_slot, uint32_t new_slot);  // same key now lives in new_slot
    void save_state(class StateWriter& w) const;
    void restore_state(class StateReader& r);

private:
    static uint64_t table_size_for(uint64_t slots);
    uint32_t position_of(uint32_t slot) const;
    const uint8_t* key_at(uint32_t slot) const { return keys_ + uint64_t(slot) * key_size_; }

    std::vector<uint32_t> table_;   // slot numbers, kNone = empty
    std::vector<uint32_t> hashes_;  // per slot: hash of its key
    uint32_t mask_ = 0;
    const uint8_t* keys_ = nullptr;
    uint32_t key_size_ = 0;
};

}  // namespace bpfplay
