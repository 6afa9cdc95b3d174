#pragma once
// The hash map family of kernel/bpf/hashtab.c: BPF_MAP_TYPE_HASH, PERCPU_HASH, HASH_OF_MAPS,
// and (with LruHashMap) LRU_HASH and LRU_PERCPU_HASH.
//
// Layout: max_entries preallocated slots in the map's one value buffer, a key array beside
// it, a KeyIndex from key bytes to slot, and a free-slot stack. A deleted entry's slot goes
// back on the stack; its bytes stay mapped (a stale pointer still reads them, as with the
// kernel's preallocated maps) and are overwritten when the slot is reused.
//
// Kernel details kept on purpose:
// - A plain hash map has one spare slot per CPU (the kernel's extra_elems). Replacing an
//   existing key writes the new value into the updating CPU's spare slot, links it in place
//   of the old one, and the old slot becomes the spare. So a value pointer a program got
//   before the update keeps pointing at the old bytes, exactly as in the kernel.
// - Per-CPU and LRU maps update an existing entry in place. A new per-CPU entry created by a
//   program gets the value on the program's CPU and zeroes on the others.
// - BPF_F_NO_PREALLOC is accepted and changes nothing: bpfplay decides by size. A map whose
//   preallocated memory would exceed kEagerMapBytes grows instead: its slots (values, keys and
//   bookkeeping) are allocated kMapChunkBytes of values at a time as entries arrive, and an
//   update that would take it past kMaxMapBytes fails with -ENOMEM. Slots, and so the value
//   addresses programs hold, never move. So katran's maps of a million entries load and take
//   the memory of the entries they hold. A growing plain hash map takes its spare elements from
//   the same slots when a replace first needs one.
//
// The kernel's order (htab_map_get_next_key): buckets in index order (jhash of the key with the
// map's seed, masked by n_buckets = roundup_pow_of_two(max_entries)), and in a bucket the newest
// element first. Replacing an existing key's value makes it the newest for HASH, LRU_HASH and
// HASH_OF_MAPS (htab_map_update_elem and htab_lru_map_update_elem link a new element at the
// bucket's head and unlink the old one) and changes nothing for PERCPU_HASH and
// LRU_PERCPU_HASH (they copy into the old element). Here entries are kept oldest first in that
// sense (order_), so:
// - A BPF_F_ZERO_SEED map's get_next_key walks the kernel's buckets exactly (seed 0), as its
//   batch lookups do (map_batch.cpp).
// - Any other map's get_next_key walks order_, oldest first: the kernel's order there depends
//   on a random seed, so no order is more right than another.
// A missing key restarts from the first entry, as in the kernel.
#include <memory>
#include <vector>

#include "core/maps/key_index.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"
#include "core/maps/slot_list.hpp"

namespace bpfplay {

class HashMap : public Map {
public:
    // Host bytes at creation: everything for a preallocated map, the fixed part for a growing one.
    static uint64_t footprint(const MapSpec& spec);
    // True when the map allocates its slots as entries arrive (see the header comment).
    static bool grows_lazily(const MapSpec& spec);
    // htab_map_alloc_check (hash, percpu_hash, LRU hashes, devmap_hash's entries).
    static MapCheckResult alloc_check(const MapCheck& c);
    // fd_htab_map_alloc_check (hash_of_maps): values are map references.
    static MapCheckResult fd_alloc_check(const MapCheck& c);
    // nullptr when the host has no memory for the values.
    static std::unique_ptr<HashMap> make(const MapSpec& spec);

    uint32_t count() const override { return count_; }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    // The slot holding `key` (for the debugger and tests), if present.
    std::optional<uint32_t> slot_of(std::span<const uint8_t> key) const;
    // The bucket htab_map_hash puts `key` in with seed 0 (BPF_F_ZERO_SEED), of n_buckets (a
    // power of two).
    static uint32_t zero_seed_bucket(std::span<const uint8_t> key, uint32_t n_buckets);
    // roundup_pow_of_two(max_entries): the kernel's bucket count.
    uint32_t bucket_count() const;

protected:
    explicit HashMap(const MapSpec& spec);
    bool init();

    // Hooks for LRU maps.
    virtual void on_used(uint32_t) {}      // a program looked the entry up, or it was updated
    virtual void on_linked(uint32_t) {}    // a new entry
    virtual void on_unlinked(uint32_t) {}  // an entry left the map
    // A slot for a new entry, or KeyIndex::kNone when the map is full (count() == max_entries:
    // -E2BIG) or cannot grow (-ENOMEM).
    virtual uint32_t take_free_slot();
    // A growing map made slots [old, slots) exist (LRU lists grow with it).
    virtual void on_grown(uint32_t slots) { (void)slots; }
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

    // Removes the entry in `slot` from the map.
    void unlink(uint32_t slot);

    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) override;
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    int64_t do_lookup_and_delete_user(const uint8_t* key, uint8_t* value) override;

    const uint8_t* key_ptr(uint32_t slot) const { return keys_.data() + uint64_t(slot) * key_size(); }

private:
    // A free slot without the max_entries check (spares come from here too), growing the map
    // when none is free; kNone when it cannot grow.
    uint32_t take_pool_slot();
    bool grow_slots();
    // One update path for programs (one CPU's value) and userspace (all_cpus: every CPU's
    // rounded-up value, back to back).
    int64_t update(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu, bool all_cpus);
    void write_new_value(uint32_t slot, const uint8_t* value, uint32_t cpu, bool all_cpus);
    uint8_t* key_ptr(uint32_t slot) { return keys_.data() + uint64_t(slot) * key_size(); }
    // order_ changed: the bucket walk is rebuilt when next needed.
    void order_changed() { bucket_walk_valid_ = false; }
    // A BPF_F_ZERO_SEED map's get_next_key: the next slot in the kernel's bucket order.
    uint32_t next_in_buckets(const uint8_t* key_or_null) const;

    std::vector<uint8_t> keys_;
    std::vector<uint8_t> used_;    // per slot: 1 while it holds an entry
    std::vector<uint32_t> free_;   // free slots; back() is taken next
    std::vector<uint32_t> spare_;  // per CPU: the spare slot of a plain hash map (else empty)
    KeyIndex index_;
    SlotList order_;               // oldest first (a HASH replace is new), for get_next_key and display
    uint32_t count_ = 0;
    // BPF_F_ZERO_SEED maps: the slots in the kernel's get_next_key order, and each slot's
    // place in it; derived from order_ (not state), rebuilt after a change.
    mutable std::vector<uint32_t> bucket_walk_;
    mutable std::vector<uint32_t> bucket_place_;
    mutable bool bucket_walk_valid_ = false;
};

}  // namespace bpfplay
