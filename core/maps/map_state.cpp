// save_state / restore_state of every map type, in one place so a new member is not missed.
#include "core/maps/map_state.hpp"

#include <algorithm>
#include <cstring>

#include "core/maps/fd_array_map.hpp"
#include "core/maps/hash_map.hpp"
#include "core/maps/key_index.hpp"
#include "core/maps/lpm_trie_map.hpp"
#include "core/maps/lru_hash_map.hpp"
#include "core/maps/map.hpp"
#include "core/maps/queue_stack_map.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/maps/stack_trace_map.hpp"

namespace bpfplay {

// A map allocated at creation saves its one buffer. A growing map saves how many slots exist
// and their bytes, so its state's length follows its entries; restoring a smaller state keeps
// the extra chunks for later growth but makes their slots not exist again.
// A zero-lazy array saves the chunks that hold something other than zeros, each with its
// number, so a chunk that was written and zeroed again (a store undone) leaves no trace.
void Map::save_state(std::vector<uint8_t>& out) const {
    StateWriter w(out);
    if (zero_lazy()) {
        const uint64_t chunk_bytes = uint64_t(chunk_slots_) * slot_bytes_;
        for (uint32_t c = 0; c < written_.size(); ++c) {
            if (!written_[c]) continue;
            const uint8_t* p = chunk_ptrs_[c];
            if (std::all_of(p, p + chunk_bytes, [](uint8_t b) { return b == 0; })) continue;
            w.pod(c);
            w.bytes(p, chunk_bytes);
        }
        w.pod(UINT32_MAX);
    } else if (grows()) {
        w.pod(allocated_slots_);
        for (uint32_t first = 0; first < allocated_slots_; first += chunk_slots_)
            w.bytes(chunk_ptrs_[first / chunk_slots_],
                    uint64_t(std::min(chunk_slots_, allocated_slots_ - first)) * slot_bytes_);
    } else {
        w.bytes(first_chunk(), storage_size_);
    }
    w.pod(frozen_);
    save_extra(w);
}

void Map::restore_state(std::span<const uint8_t> in) {
    StateReader r(in);
    if (zero_lazy()) {
        const uint64_t chunk_bytes = uint64_t(chunk_slots_) * slot_bytes_;
        for (uint32_t c = 0; c < written_.size(); ++c)
            if (written_[c]) std::memset(chunk_ptrs_[c], 0, chunk_bytes);
        for (uint32_t c = 0;;) {
            r.pod(c);
            if (c == UINT32_MAX) break;
            // The chunk had bytes when saved, so it had memory then and still has it.
            uint8_t* p = materialize_chunk(c);
            if (p) r.bytes(p, chunk_bytes);
        }
    } else if (grows()) {
        uint32_t slots = 0;
        r.pod(slots);
        if (slots > allocated_slots_) grow_storage(slots);  // chunks kept from before, or new ones
        else set_allocated(slots);
        for (uint32_t first = 0; first < allocated_slots_; first += chunk_slots_)
            r.bytes(chunk_ptrs_[first / chunk_slots_],
                    uint64_t(std::min(chunk_slots_, allocated_slots_ - first)) * slot_bytes_);
    } else {
        r.bytes(first_chunk(), storage_size_);
    }
    r.pod(frozen_);
    restore_extra(r);
}

void KeyIndex::save_state(StateWriter& w) const {
    w.vec(table_);
    w.vec(hashes_);
}

void KeyIndex::restore_state(StateReader& r) {
    r.vec(table_);
    r.vec(hashes_);
    mask_ = uint32_t(table_.size() - 1);  // a growing map's table has the size of that state
}

void HashMap::save_extra(StateWriter& w) const {
    w.vec(keys_);
    w.vec(used_);
    w.vec(free_, allocated_slots());
    w.vec(spare_);
    index_.save_state(w);
    order_.save_state(w);
    w.pod(count_);
}

void HashMap::restore_extra(StateReader& r) {
    r.vec(keys_);
    r.vec(used_);
    r.vec(free_, allocated_slots());
    r.vec(spare_);
    index_.restore_state(r);
    index_.rebind(keys_.data());
    order_.restore_state(r);
    order_changed();
    r.pod(count_);
}

void LruHashMap::save_extra(StateWriter& w) const {
    HashMap::save_extra(w);
    recency_.save_state(w);
}

void LruHashMap::restore_extra(StateReader& r) {
    HashMap::restore_extra(r);
    recency_.restore_state(r);
}

// Every record takes at least an 8-byte header of the data area, which bounds their number.
void RingbufMap::save_extra(StateWriter& w) const {
    w.vec(records_, max_entries() / 8 + 1);
    w.pod(producer_);
}

void RingbufMap::restore_extra(StateReader& r) {
    r.vec(records_, max_entries() / 8 + 1);
    r.pod(producer_);
}

// A bloom filter is all bits: the value region the base saves.

void QueueStackMap::save_extra(StateWriter& w) const {
    w.pod(head_);
    w.pod(tail_);
}

void QueueStackMap::restore_extra(StateReader& r) {
    r.pod(head_);
    r.pod(tail_);
}

void StackTraceMap::save_extra(StateWriter& w) const {
    w.vec(hash_);
    w.vec(nr_);
    w.pod(count_);
}

void StackTraceMap::restore_extra(StateReader& r) {
    r.vec(hash_);
    r.vec(nr_);
    r.pod(count_);
}

void LpmTrieMap::save_extra(StateWriter& w) const {
    w.vec(words_);
    w.vec(slot_owner_);
    w.vec(free_slots_);
    w.pod(free_head_);
    w.pod(free_count_);
    w.pod(free_nodes_);
    w.pod(root_);
    w.pod(n_entries_);
}

void LpmTrieMap::restore_extra(StateReader& r) {
    r.vec(words_);
    r.vec(slot_owner_);
    r.vec(free_slots_);
    r.pod(free_head_);
    r.pod(free_count_);
    r.pod(free_nodes_);
    r.pod(root_);
    r.pod(n_entries_);
}

}  // namespace bpfplay
