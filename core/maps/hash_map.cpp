#include "core/maps/hash_map.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "core/maps/jhash.hpp"
#include "core/maps/lru_hash_map.hpp"
#include "core/maps/map_in_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/map_types.hpp"
#include "core/memory.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace u = map_update;

namespace {

bool is_lru(MapType t) { return map_type_info(t)->lru; }
bool is_percpu_type(MapType t) { return map_type_info(t)->percpu; }
// The kernel's extra_elems: only plain hash maps replace an entry through a spare element.
uint32_t spares_of(const MapSpec& spec) { return spec.type == MapType::Hash ? spec.ncpus : 0; }
uint32_t slot_bytes_of(const MapSpec& spec) { return stride_of(spec) * (is_percpu_type(spec.type) ? spec.ncpus : 1); }

// Host bytes with `slots` slots.
uint64_t footprint_at(const MapSpec& spec, uint64_t slots) {
    uint64_t bytes = slots * slot_bytes_of(spec);  // values
    bytes += slots * spec.key_size;                 // keys
    bytes += slots * (1 + 4 + 8);                   // used flag, free stack, insertion list
    if (is_lru(spec.type)) bytes += slots * 8;      // recency list
    bytes += uint64_t(spares_of(spec)) * 4;
    bytes += KeyIndex::bytes_for(slots);
    return bytes;
}

uint64_t all_slots(const MapSpec& spec) { return uint64_t(spec.max_entries) + spares_of(spec); }

}  // namespace

bool HashMap::grows_lazily(const MapSpec& spec) {
    // Values must fit the map's 4 GiB address window; a larger map is refused by its size.
    return footprint_at(spec, all_slots(spec)) > kEagerMapBytes &&
           all_slots(spec) * slot_bytes_of(spec) <= UINT32_MAX;
}

uint64_t HashMap::footprint(const MapSpec& spec) {
    return footprint_at(spec, grows_lazily(spec) ? 0 : all_slots(spec));
}

HashMap::HashMap(const MapSpec& spec)
    : Map(spec, spec.max_entries + spares_of(spec), slot_bytes_of(spec),
          /*program_visible=*/spec.type != MapType::HashOfMaps) {}

bool HashMap::init() {
    if (grows_lazily(spec())) {
        allocate_storage_lazily();
        spare_.assign(spares_of(spec()), KeyIndex::kNone);  // taken from the slots when first needed
        index_.init(keys_.data(), key_size(), 0);
        order_.init(0);
        return true;
    }
    if (!allocate_storage()) return false;
    const uint32_t slots = slot_count();
    keys_.assign(uint64_t(slots) * key_size(), 0);
    used_.assign(slots, 0);
    // Slot 0 is taken first, then 1, ...: fresh maps fill their buffer front to back.
    free_.resize(max_entries());
    for (uint32_t i = 0; i < max_entries(); ++i) free_[i] = max_entries() - 1 - i;
    spare_.resize(spares_of(spec()));
    for (uint32_t c = 0; c < spare_.size(); ++c) spare_[c] = max_entries() + c;
    index_.init(keys_.data(), key_size(), slots);
    order_.init(slots);
    return true;
}

std::unique_ptr<HashMap> HashMap::make(const MapSpec& spec) {
    std::unique_ptr<HashMap> map(new HashMap(spec));
    if (!map->init()) return nullptr;
    return map;
}

uint32_t HashMap::take_free_slot() {
    if (count_ >= max_entries()) return KeyIndex::kNone;
    return take_pool_slot();
}

uint32_t HashMap::take_pool_slot() {
    if (free_.empty() && !grow_slots()) return KeyIndex::kNone;
    const uint32_t s = free_.back();
    free_.pop_back();
    return s;
}

bool HashMap::grow_slots() {
    if (!grows()) return false;  // preallocated: every slot exists already
    const uint32_t old = allocated_slots();
    const uint32_t slots = uint32_t(std::min<uint64_t>(uint64_t(old) + chunk_slots(), slot_count()));
    if (slots == old || footprint_at(spec(), slots) > kMaxMapBytes) return false;
    if (!grow_storage(slots)) return false;
    keys_.resize(uint64_t(slots) * key_size(), 0);
    used_.resize(slots, 0);
    index_.rebind(keys_.data());
    index_.grow(slots, used_);
    order_.grow(slots);
    on_grown(slots);
    // Lowest first, as a preallocated map hands out its slots.
    for (uint32_t s = slots; s-- > old;) free_.push_back(s);
    return true;
}

void HashMap::unlink(uint32_t slot) {
    index_.erase(slot);
    order_.remove(slot);
    order_changed();
    used_[slot] = 0;
    free_.push_back(slot);
    --count_;
    on_unlinked(slot);
}

std::optional<uint32_t> HashMap::slot_of(std::span<const uint8_t> key) const {
    if (key.size() != key_size()) return std::nullopt;
    const uint32_t s = index_.find(key.data());
    if (s == KeyIndex::kNone) return std::nullopt;
    return s;
}

uint64_t HashMap::do_lookup_elem(const uint8_t* key, uint32_t cpu) {
    const uint32_t s = index_.find(key);
    if (s == KeyIndex::kNone) return 0;
    on_used(s);
    if (type() == MapType::HashOfMaps) return map_handle(load_le<uint32_t>(slot_ptr(s)));
    return value_address(s, is_percpu() ? cpu : 0);
}

int64_t HashMap::do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) {
    // The verifier lets programs only look up a hash_of_maps; there is no program-side update.
    if (type() == MapType::HashOfMaps) return -e::kEOPNOTSUPP;
    return update(key, value, flags, cpu, /*all_cpus=*/false);
}

int64_t HashMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    if (type() == MapType::HashOfMaps) {
        // bpf_fd_htab_map_update_elem resolves the inner map before looking at the flags.
        if (int64_t err = check_inner_map(*this, load_le<uint32_t>(value)); err != 0) return err;
    }
    // The syscall runs on some CPU; bpfplay says CPU 0 (it only picks a plain hash's spare).
    return update(key, value, flags, 0, /*all_cpus=*/is_percpu());
}

int64_t HashMap::update(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu, bool all_cpus) {
    // htab_map_update_elem (hash, hash_of_maps) tolerates BPF_F_LOCK in the flags check and
    // then needs a bpf_spin_lock in the value; the per-CPU and LRU variants reject it outright.
    const bool lockable = type() == MapType::Hash || type() == MapType::HashOfMaps;
    const uint64_t op = lockable ? (flags & ~u::kLock) : flags;
    if (op > u::kExist) return -e::kEINVAL;
    if (flags & u::kLock) return -e::kEINVAL;

    const uint32_t old = index_.find(key);
    if (old != KeyIndex::kNone && op == u::kNoExist) return -e::kEEXIST;
    if (old == KeyIndex::kNone && op == u::kExist) return -e::kENOENT;

    if (old != KeyIndex::kNone) {
        if (!spare_.empty()) {
            // Plain hash: the new value goes into this CPU's spare element, which takes the old
            // element's place; the old element becomes the spare (alloc_htab_elem).
            if (spare_[cpu] == KeyIndex::kNone) spare_[cpu] = take_pool_slot();
            if (spare_[cpu] == KeyIndex::kNone) return -e::kENOMEM;  // a growing map at its limit
            const uint32_t fresh = spare_[cpu];
            spare_[cpu] = old;
            std::memcpy(key_ptr(fresh), key_ptr(old), key_size());
            store_value(fresh, 0, value);
            index_.replace(old, fresh);
            // The new element is linked at the head of the bucket: the key is now the newest.
            order_.remove(old);
            order_.push_back(fresh);
            order_changed();
            used_[fresh] = 1;
            used_[old] = 0;
            return 0;
        }
        // Per-CPU, LRU and hash_of_maps: in place. A program writes value_size bytes of its
        // CPU's value; userspace writes every CPU's rounded-up value.
        if (all_cpus) std::memmove(slot_ptr(old), value, slot_bytes());
        else std::memmove(slot_ptr(old, is_percpu() ? cpu : 0), value, value_size());
        // LRU_HASH and HASH_OF_MAPS replace the element in the kernel (a new one at the bucket's
        // head), so the key becomes the newest; the per-CPU types copy into the old one.
        if (!is_percpu()) {
            order_.remove(old);
            order_.push_back(old);
            order_changed();
        }
        on_used(old);
        return 0;
    }

    const uint32_t s = take_free_slot();
    // Every element in use, or (a growing map) no memory for another.
    if (s == KeyIndex::kNone) return count_ >= max_entries() ? -e::kE2BIG : -e::kENOMEM;
    std::memcpy(key_ptr(s), key, key_size());
    write_new_value(s, value, cpu, all_cpus);
    index_.insert(s);
    order_.push_back(s);
    order_changed();
    used_[s] = 1;
    ++count_;
    on_linked(s);
    return 0;
}

void HashMap::write_new_value(uint32_t slot, const uint8_t* value, uint32_t cpu, bool all_cpus) {
    if (all_cpus) {
        std::memmove(slot_ptr(slot), value, slot_bytes());
    } else if (is_percpu()) {
        // pcpu_init_value: the program's CPU gets the value, every other CPU zeroes, so a
        // program can rely on the values it did not write.
        store_value(slot, cpu, value);
        zero_slot(slot, cpu);
    } else {
        store_value(slot, 0, value);
    }
}

int64_t HashMap::do_delete_elem(const uint8_t* key) {
    const uint32_t s = index_.find(key);
    if (s == KeyIndex::kNone) return -e::kENOENT;
    unlink(s);
    return 0;
}

// Userspace lookups do not count as a use for LRU (htab_lru_map_lookup_elem_sys): walking a
// map from userspace must not change what gets evicted.
int64_t HashMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const uint32_t s = index_.find(key);
    if (s == KeyIndex::kNone) return -e::kENOENT;
    std::memcpy(value, slot_ptr(s), is_percpu() ? slot_bytes() : value_size());
    return 0;
}

// htab_map_lookup_and_delete_elem (and its per-CPU and LRU forms); the syscall sends no
// other hash-based type there.
int64_t HashMap::do_lookup_and_delete_user(const uint8_t* key, uint8_t* value) {
    const MapType t = type();
    if (t != MapType::Hash && t != MapType::PercpuHash && t != MapType::LruHash && t != MapType::LruPercpuHash)
        return -e::kENOTSUPP;
    if (int64_t rc = do_lookup_user(key, value)) return rc;
    return do_delete_elem(key);
}

uint32_t HashMap::zero_seed_bucket(std::span<const uint8_t> key, uint32_t n_buckets) {
    // htab_map_hash: jhash2 over u32 words when the key is a multiple of 4 bytes, else jhash.
    const uint32_t len = uint32_t(key.size());
    const uint32_t hash = len % 4 == 0 ? jhash2(key.data(), len / 4, 0) : jhash(key.data(), len, 0);
    return hash & (n_buckets - 1);
}

uint32_t HashMap::bucket_count() const {
    return uint32_t(std::bit_ceil(uint64_t(std::max(max_entries(), 1u))));
}

uint32_t HashMap::next_in_buckets(const uint8_t* key_or_null) const {
    if (!bucket_walk_valid_) {
        // order_ is oldest first; a bucket lists its newest first.
        const uint32_t n_buckets = bucket_count();
        std::vector<std::pair<uint32_t, uint32_t>> by_bucket;  // (bucket, slot), oldest first
        by_bucket.reserve(count_);
        for (uint32_t s = order_.front(); s != SlotList::kNone; s = order_.next(s))
            by_bucket.emplace_back(zero_seed_bucket({key_ptr(s), key_size()}, n_buckets), s);
        std::reverse(by_bucket.begin(), by_bucket.end());
        std::stable_sort(by_bucket.begin(), by_bucket.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        bucket_walk_.clear();
        bucket_place_.assign(used_.size(), SlotList::kNone);
        for (const auto& [bucket, slot] : by_bucket) {
            bucket_place_[slot] = uint32_t(bucket_walk_.size());
            bucket_walk_.push_back(slot);
        }
        bucket_walk_valid_ = true;
    }
    uint32_t place = 0;
    if (key_or_null) {
        const uint32_t s = index_.find(key_or_null);
        if (s != KeyIndex::kNone) place = bucket_place_[s] + 1;
    }
    return place < bucket_walk_.size() ? bucket_walk_[place] : SlotList::kNone;
}

int64_t HashMap::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    uint32_t next = SlotList::kNone;
    if (map_flags() & map_flag::kZeroSeed) {
        next = next_in_buckets(key_or_null);
    } else {
        next = order_.front();
        if (key_or_null) {
            const uint32_t s = index_.find(key_or_null);
            if (s != KeyIndex::kNone) next = order_.next(s);
        }
    }
    if (next == SlotList::kNone) return -e::kENOENT;
    std::memcpy(next_key, key_ptr(next), key_size());
    return 0;
}

void HashMap::for_each_entry(const EntryVisitor& visit) const {
    for (uint32_t s = order_.front(); s != SlotList::kNone; s = order_.next(s))
        if (!visit(std::span<const uint8_t>(key_ptr(s), key_size()), s)) return;
}

std::optional<std::vector<uint8_t>> HashMap::key_of_slot(uint32_t slot) const {
    if (slot >= used_.size() || !used_[slot]) return std::nullopt;
    return std::vector<uint8_t>(key_ptr(slot), key_ptr(slot) + key_size());
}


MapCheckResult HashMap::alloc_check(const MapCheck& c) {
    namespace f = map_flag;
    constexpr uint32_t kCreateFlags = f::kNoPrealloc | f::kNoCommonLru | f::kNumaNode | f::kAccessMask | f::kZeroSeed;
    constexpr uint64_t kHtabElemSize = 48;  // sizeof(struct htab_elem) on x86-64
    const MapSpec& s = c.spec();
    const bool percpu = is_percpu_type(s.type);
    const bool lru = is_lru(s.type);
    const bool percpu_lru = s.map_flags & f::kNoCommonLru;
    const bool prealloc = !(s.map_flags & f::kNoPrealloc);
    if (auto err = c.unknown_flags(kCreateFlags)) return err;
    if (auto err = c.access_flags()) return err;
    if (!lru && percpu_lru) return c.fail(-kerrno::kEINVAL, c.kind() + ": BPF_F_NO_COMMON_LRU is only for LRU maps");
    if (lru && !prealloc)
        return c.fail(-kerrno::kENOTSUPP,
                      c.kind() + ": LRU maps are always preallocated, BPF_F_NO_PREALLOC is not supported",
                      "Drop BPF_F_NO_PREALLOC.");
    if ((s.map_flags & f::kNumaNode) && (percpu || percpu_lru))
        return c.fail(-kerrno::kEINVAL, c.kind() + " has per-CPU parts and cannot be placed on one NUMA node "
                                                   "(BPF_F_NUMA_NODE)");
    if (auto err = c.zero_sizes(true)) return err;
    if (uint64_t(s.key_size) + s.value_size >= kKmallocMaxSize - kHtabElemSize)
        return c.fail(-kerrno::kE2BIG, c.kind() + " has key_size " + std::to_string(s.key_size) + " + value_size " +
                                           std::to_string(s.value_size) + " bytes; together they must be under " +
                                           std::to_string(kKmallocMaxSize - kHtabElemSize) +
                                           " (KMALLOC_MAX_SIZE minus the element header)");
    if (percpu && round8(s.value_size) > kPcpuMinUnitSize)
        return c.fail(-kerrno::kE2BIG, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                           "; per-CPU values are at most 32768 bytes (PCPU_MIN_UNIT_SIZE)");
    return std::nullopt;
}

MapCheckResult HashMap::fd_alloc_check(const MapCheck& c) {
    if (c.spec().value_size != 4)
        return c.fail(-kerrno::kEINVAL,
                      c.kind() + " has value_size " + std::to_string(c.spec().value_size) +
                          "; its values are map references (fds for the kernel), value_size must be 4",
                      "Declare the value as __u32.");
    return alloc_check(c);
}

}  // namespace bpfplay
