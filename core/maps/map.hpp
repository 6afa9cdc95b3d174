#pragma once
// The BPF map object model: a map's creation attributes (MapSpec), the operations a program
// reaches through helpers and the ones userspace reaches through the bpf() syscall, each with
// the kernel's return codes, and a read-only view for display.
//
// Storage: a map's values live in slots of slot_bytes(): a value rounded up to 8 bytes, times
// the CPU count for per-CPU maps (CPU c of slot s lives at s * slot_bytes() + c * value_stride()
// of the map's value window). Most maps allocate every slot at creation in ONE contiguous,
// zero-initialized buffer; large hash maps allocate slots in chunks as entries arrive
// (grows_lazily), so a map with max_entries 1M and ten entries takes the memory of ten. Either
// way bytes never move once allocated, so a MapSet can map them into a program's Memory and the
// value pointers bpf_map_lookup_elem returns are real, checked addresses that stay valid.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/maps/map_abi.hpp"
#include "core/memory.hpp"

namespace bpfplay {

constexpr uint32_t kDefaultCpus = 4;  // emulated CPUs a per-CPU map holds values for
constexpr uint32_t kMaxCpus = 64;
// One map's host memory (values, keys and bookkeeping) may not exceed this: the browser build
// runs in a tab with little memory. Maps that allocate everything at creation and would take
// more are refused with -ENOMEM; maps that grow (large hash maps) answer an update that would
// take them past it with -ENOMEM.
constexpr uint64_t kMaxMapBytes = 64ull << 20;
// Hash maps whose preallocated memory would exceed this grow with their entries instead.
constexpr uint64_t kEagerMapBytes = 1ull << 20;
// The unit a growing map allocates its values in (at least one slot).
constexpr uint64_t kMapChunkBytes = 64ull << 10;

// A kptr field of a map value (a pointer member whose BTF type tag is "kptr", "kptr_untrusted"
// or "percpu_kptr"): 8 bytes the kernel owns, changed by programs only with bpf_kptr_xchg.
enum class KptrKind : uint8_t {
    Unreferenced,  // __kptr_untrusted (BPF_KPTR_UNREF)
    Referenced,    // __kptr (BPF_KPTR_REF)
    Percpu,        // __percpu_kptr (BPF_KPTR_PERCPU)
};
struct KptrField {
    uint32_t offset = 0;
    KptrKind kind = KptrKind::Referenced;
    std::string type_name;  // the struct it points to ("task_struct")
};

// What BPF_MAP_CREATE receives (union bpf_attr's map fields), plus the emulated CPU count.
struct MapSpec {
    MapType type = MapType::Unspec;
    std::string name;  // alphanumerics, '_' and '.', as the kernel accepts (length not limited)
    uint32_t key_size = 0;
    uint32_t value_size = 0;
    uint32_t max_entries = 0;
    uint32_t map_flags = 0;
    // BPF_MAP_CREATE's map_extra: only bloom filters take it (the number of hash functions in
    // its low 4 bits); any other type with a non-zero map_extra is refused (-EINVAL).
    uint64_t map_extra = 0;
    uint32_t btf_key_type_id = 0;    // stored for the BTF printer; not validated here
    uint32_t btf_value_type_id = 0;
    // struct_ops maps: the kernel's value type (struct bpf_struct_ops_<name>) in vmlinux BTF.
    uint32_t btf_vmlinux_value_type_id = 0;
    // The special fields the kernel finds in the value's BTF (btf_parse_fields) when it accepts
    // the map with its BTF: the struct bpf_spin_lock's offset (-1: none) and the kptr fields.
    // The loader fills them (core/loader/map_fields.cpp); a map without them has no BTF for
    // bpf_spin_lock and bpf_kptr_xchg.
    int32_t spin_lock_off = -1;
    int32_t timer_off = -1;  // the struct bpf_timer's offset (-1: none)
    std::vector<KptrField> kptrs;
    bool kernel_btf = false;  // the kernel keeps the value's BTF (false: none, or it was refused)
    uint32_t ncpus = kDefaultCpus;   // values per key of a per-CPU map; also sizes spare slots
    // array_of_maps / hash_of_maps: the inner map template (the kernel's inner_map_fd). Every
    // map stored in the outer map must match it as bpf_map_meta_equal() requires.
    std::shared_ptr<const MapSpec> inner;
};

// round_up(value_size, 8): the bytes one value (one CPU's copy in a per-CPU map) takes in a map's
// storage, as the kernel's round_up(map->value_size, 8).
inline uint32_t stride_of(const MapSpec& spec) { return (spec.value_size + 7u) & ~7u; }
// The values one key holds: ncpus in a per-CPU map type, else 1.
uint32_t cpus_of(const MapSpec& spec);

// A refused BPF_MAP_CREATE: the negative errno the kernel returns and the explanation.
struct MapCreateError {
    int64_t code = 0;
    Error error;  // kind Map, where.map = the map's name
};

// Checks a spec as BPF_MAP_CREATE does (map_create + the type's map_alloc_check + the inner
// map checks of bpf_map_meta_alloc) and against bpfplay's per-map memory limit.
std::optional<MapCreateError> check_map_spec(const MapSpec& spec);

class Map;
// Creates an empty map; the error's `what` starts with the errno ("-EINVAL: ...").
Result<std::unique_ptr<Map>> create_map(const MapSpec& spec);

// One entry for display: key bytes and value bytes (value_size of them) per CPU.
struct MapEntry {
    std::vector<uint8_t> key;
    std::vector<std::vector<uint8_t>> values;  // one per CPU for per-CPU maps, else exactly one
    uint32_t slot = 0;                          // where the value lives in the value region
    // How the type names the entry for a reader, when its key bytes say little or nothing:
    // "10.0.0.0/8" for an LPM trie, "#0 (popped next)" for a queue. Empty: show the key.
    std::string label;
};

class MapSet;

class Map {
public:
    virtual ~Map();
    Map(const Map&) = delete;
    Map& operator=(const Map&) = delete;

    const MapSpec& spec() const { return spec_; }
    MapType type() const { return spec_.type; }
    const std::string& name() const { return spec_.name; }
    uint32_t key_size() const { return spec_.key_size; }
    uint32_t value_size() const { return spec_.value_size; }
    uint32_t max_entries() const { return spec_.max_entries; }
    uint32_t map_flags() const { return spec_.map_flags; }
    uint32_t ncpus() const { return spec_.ncpus; }
    bool is_percpu() const;
    uint32_t value_stride() const { return stride_of(spec_); }  // round_up(value_size, 8)
    // Bytes userspace passes to BPF_MAP_LOOKUP_ELEM / UPDATE_ELEM: value_size, or
    // ncpus * round_up(value_size, 8) for per-CPU maps (every CPU at once).
    uint32_t user_value_size() const;
    // "hash map \"counts\"" -- for messages.
    std::string describe() const;

    // Set when a MapSet adds the map (kNoId before).
    static constexpr uint32_t kNoId = UINT32_MAX;
    uint32_t id() const { return id_; }
    uint64_t handle() const;      // the address a program holds for this map (0 without a set)
    uint64_t value_base() const { return value_base_; }  // 0 when not given a window
    // The MapSet the map belongs to (nullptr before MapSet::add); maps of maps resolve the
    // inner map ids they store through it.
    const MapSet* owner() const { return set_; }

    // ---- The value region programs address ----
    // True when programs get pointers into the values (not for prog_array and maps of maps).
    bool program_visible() const { return program_visible_; }
    // The contiguous value buffer of a map that allocated everything at creation; for a
    // growing map, its first chunk (use slot_value / value_address for the others).
    std::span<uint8_t> value_region() { return {first_chunk(), storage_size_}; }
    std::span<const uint8_t> value_region() const { return {first_chunk(), storage_size_}; }
    // Every slot the map may ever use (max_entries plus any spares).
    uint32_t slot_count() const { return slot_count_; }
    // Slots whose bytes exist now: slot_count() unless the map grows with its entries.
    uint32_t allocated_slots() const { return allocated_slots_; }
    bool grows() const { return chunk_slots_ != slot_count_; }
    // A large array whose chunks read as zeros until written (allocate_storage_zero_lazily).
    bool zero_lazy() const { return zero_chunk_ != nullptr; }
    // The chunk table Memory reads for a growing map (nullptr for the others).
    const ChunkedBytes* chunks() const { return grows() ? &chunks_ : nullptr; }
    uint32_t slot_bytes() const { return slot_bytes_; }
    // The value_size bytes of CPU `cpu` in slot `slot` (empty when out of range).
    std::span<const uint8_t> slot_value(uint32_t slot, uint32_t cpu = 0) const;
    // The virtual address of that value (value_base() + offset).
    uint64_t value_address(uint32_t slot, uint32_t cpu = 0) const;

    // ---- Program side: what bpf_map_{lookup,update,delete}_elem do in the kernel ----
    // key must be key_size bytes and value value_size bytes, else -EINVAL / 0. cpu is the CPU
    // the program runs on: it picks the per-CPU value; cpu >= ncpus() is refused (0 / -EINVAL).
    // Returns the value's virtual address (so the map must be in a MapSet, which gives it its
    // window; 0 otherwise), or 0 when the key is missing. Maps of maps return
    // the inner map's handle. prog_array returns 0: the kernel's verifier never lets a program
    // look one up (the helper layer reports that as an error before calling this).
    uint64_t lookup_elem(std::span<const uint8_t> key, uint32_t cpu);
    int64_t update_elem(std::span<const uint8_t> key, std::span<const uint8_t> value, uint64_t flags,
                        uint32_t cpu);
    int64_t delete_elem(std::span<const uint8_t> key);
    // bpf_map_push_elem / bpf_map_pop_elem / bpf_map_peek_elem (queue, stack, bloom filter):
    // `value` is value_size bytes. pop and peek write the value there (zeroed when there is
    // none); a bloom filter's peek reads it instead. Other types answer -EOPNOTSUPP (the
    // verifier never lets a program call these on them).
    int64_t push_elem(std::span<const uint8_t> value, uint64_t flags);
    int64_t pop_elem(std::span<uint8_t> value);
    int64_t peek_elem(std::span<uint8_t> value);

    // ---- Userspace side: the BPF_MAP_* commands of the bpf() syscall ----
    // `value` is user_value_size() bytes. For prog_array the value is a program index, for maps
    // of maps a map id of the owning MapSet (where the kernel takes fds and returns ids).
    int64_t lookup_user(std::span<const uint8_t> key, std::span<uint8_t> value, uint64_t flags = 0);
    int64_t update_user(std::span<const uint8_t> key, std::span<const uint8_t> value, uint64_t flags = 0);
    int64_t delete_user(std::span<const uint8_t> key);
    // BPF_MAP_LOOKUP_AND_DELETE_ELEM: a queue or stack pops its next value, a hash map
    // (hash, percpu_hash and the LRU ones) returns the entry and deletes it; every other type
    // answers -ENOTSUPP (524), as the kernel does.
    int64_t lookup_and_delete_user(std::span<const uint8_t> key, std::span<uint8_t> value, uint64_t flags = 0);
    // An empty `key` is the NULL key: start from the first. A key that is not in the map also
    // restarts from the first (the kernel's behaviour); -ENOENT after the last.
    int64_t get_next_key(std::span<const uint8_t> key, std::span<uint8_t> next_key);
    // BPF_MAP_FREEZE: userspace may no longer change the map (programs still may).
    int64_t freeze();
    bool frozen() const { return frozen_; }

    // ---- Reverse execution: the whole state as bytes (map_state.hpp) ----
    // Every state of one map has the same length. restore_state takes bytes save_state gave.
    void save_state(std::vector<uint8_t>& out) const;
    void restore_state(std::span<const uint8_t> in);

    // ---- Display ----
    virtual uint32_t count() const = 0;  // live entries (every index for plain arrays)
    // Visits live entries in the get_next_key order; return false to stop.
    using EntryVisitor = std::function<bool(std::span<const uint8_t> key, uint32_t slot)>;
    virtual void for_each_entry(const EntryVisitor& visit) const = 0;
    std::vector<MapEntry> entries(size_t limit = SIZE_MAX) const;
    // The key stored in a slot, or nullopt when the slot is free (a deleted or spare entry).
    virtual std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const = 0;
    // MapEntry::label of the entry in `slot` with key `key` (empty: the key speaks for itself).
    virtual std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const;
    // One line on the map's state for types whose entries do not tell it all ("3 of 4 values,
    // oldest first"; a bloom filter's bits); empty for most.
    virtual std::string summary() const { return {}; }
    // How much the map holds, in its own unit: "3 entries"; "2 records" for ring buffers (whose
    // max_entries counts bytes, and whose summary() says how many are used).
    virtual std::string occupancy() const;

protected:
    Map(const MapSpec& spec, uint32_t slot_count, uint32_t slot_bytes, bool program_visible);
    // Allocates the zeroed value buffer once; false when the host has no memory for it.
    bool allocate_storage();
    // For a map that grows: no slot exists yet; grow_storage adds them chunk by chunk.
    void allocate_storage_lazily();
    // Makes slots [allocated_slots(), slots) exist, zeroed (slots <= slot_count()); false when
    // the host has no memory. Chunks a restore gave back are reused.
    bool grow_storage(uint32_t slots);
    // For a large array: every slot exists and reads as zero; a chunk gets its own bytes when
    // first written (make_writable, or a program's store through Memory), within kMaxMapBytes.
    void allocate_storage_zero_lazily();
    // Before writing slot `slot` through slot_ptr: false when its chunk cannot get memory.
    bool make_writable(uint32_t slot);
    // Slots in one chunk (slot_count() for maps allocated at creation).
    uint32_t chunk_slots() const { return chunk_slots_; }
    uint8_t* slot_ptr(uint32_t slot, uint32_t cpu = 0) {
        return chunk_ptrs_[slot / chunk_slots_] + uint64_t(slot % chunk_slots_) * slot_bytes_ +
               uint64_t(cpu) * value_stride();
    }
    const uint8_t* slot_ptr(uint32_t slot, uint32_t cpu = 0) const {
        return chunk_ptrs_[slot / chunk_slots_] + uint64_t(slot % chunk_slots_) * slot_bytes_ +
               uint64_t(cpu) * value_stride();
    }
    // Copies value_size bytes into (slot, cpu) and zeroes the rest of that CPU's stride.
    // memmove: the source may itself point into this map's values.
    void store_value(uint32_t slot, uint32_t cpu, const uint8_t* value);
    // Zeroes the value of every CPU of the slot except `keep_cpu` (UINT32_MAX: all).
    void zero_slot(uint32_t slot, uint32_t keep_cpu = UINT32_MAX);

    // The subclass's bookkeeping, after the base's values (fixed length per map).
    virtual void save_extra(class StateWriter&) const {}
    virtual void restore_extra(class StateReader&) {}

    // Pointers have exactly key_size / value_size / user_value_size bytes; cpu < ncpus().
    virtual uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) = 0;
    virtual int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) = 0;
    virtual int64_t do_delete_elem(const uint8_t* key) = 0;
    virtual int64_t do_lookup_user(const uint8_t* key, uint8_t* value) = 0;
    virtual int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) = 0;
    virtual int64_t do_delete_user(const uint8_t* key) { return do_delete_elem(key); }
    virtual int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) = 0;
    // Pointers have value_size bytes (lookup_and_delete: user_value_size). The defaults are the
    // kernel's answers for types without these operations.
    virtual int64_t do_push_elem(const uint8_t* value, uint64_t flags);
    virtual int64_t do_pop_elem(uint8_t* value);
    virtual int64_t do_peek_elem(uint8_t* value);
    virtual int64_t do_lookup_and_delete_user(const uint8_t* key, uint8_t* value);

private:
    friend class MapSet;

    uint8_t* first_chunk() const { return chunk_ptrs_.empty() ? nullptr : chunk_ptrs_[0]; }
    void set_allocated(uint32_t slots);

    MapSpec spec_;
    // Chunk k holds slots [k * chunk_slots_, (k + 1) * chunk_slots_). A map allocated at
    // creation has one chunk of every slot. Chunks are only ever added: a restore to a smaller
    // state keeps them for the next growth (the journal may still hold pointers into them).
    std::vector<std::unique_ptr<uint8_t[]>> storage_;
    std::vector<uint8_t*> chunk_ptrs_;  // storage_'s pointers, for slot_ptr
    ChunkedBytes chunks_;               // what Memory reads for a growing map
    uint32_t storage_size_ = 0;         // bytes of the first chunk
    uint32_t slot_count_ = 0;
    uint32_t slot_bytes_ = 0;
    uint32_t chunk_slots_ = 0;
    uint32_t allocated_slots_ = 0;
    // Zero-lazy arrays: the shared zero chunk, which chunk has its own bytes, and their total.
    std::unique_ptr<uint8_t[]> zero_chunk_;
    std::vector<uint8_t> written_;
    uint64_t written_bytes_ = 0;
    uint8_t* materialize_chunk(uint64_t chunk);
    bool program_visible_ = false;
    bool frozen_ = false;
    uint32_t id_ = kNoId;
    uint64_t value_base_ = 0;
    const MapSet* set_ = nullptr;
};

}  // namespace bpfplay
