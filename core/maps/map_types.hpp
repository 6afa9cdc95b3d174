#pragma once
// Every kernel map type (enum bpf_map_type), one row each in map_types.cpp: its name, its
// traits, what programs may do with it through the map helpers, and -- for the types bpfplay
// implements -- the type's creation check, the host memory it takes and its factory, each
// defined beside the type's implementation. Adding a type is its own files plus one row here.
#include <cstdint>
#include <memory>
#include <span>

#include "core/maps/map_check.hpp"

namespace bpfplay {

// Which of the generic map helpers -- bpf_map_lookup_elem (1), update (2), delete (3),
// bpf_map_push_elem (87), pop (88), peek (89) -- the kernel's verifier lets a program pass a map
// of the type to (check_map_func_compatibility: push/pop/peek are only for queues, stacks and
// bloom filters, which in turn take no lookup/update/delete).
enum class ProgramMapAccess : uint8_t {
    ReadWrite,   // lookup, update and delete
    LookupOnly,  // look up only (maps of maps, devmaps)
    LookupDelete, // look up and delete (sockmap, sockhash: sockets are added by their own helpers)
    None,        // only through the type's own helpers (bpf_tail_call, bpf_ringbuf_*, ...)
    PushPopPeek, // push, pop and peek (queue, stack)
    PushPeek,    // push and peek (bloom filter: nothing can be taken out)
};

// True when the verifier lets a program pass a map with `access` to map helper `helper_id`
// (one of the six above; any other id: true, the helper checks its own map types).
bool program_may_pass(ProgramMapAccess access, int32_t helper_id);

// Which batch commands of bpf(2) the type has (its bpf_map_ops' map_*_batch, Linux 6.18);
// map_batch.hpp carries them out.
enum class MapBatch : uint8_t {
    None,           // -ENOTSUPP for all four
    Generic,        // lookup and update by the generic walk (arrays, array_of_maps)
    GenericDelete,  // lookup, update and delete by the generic walk (lpm_trie)
    Hash,           // all four, lookups bucket by bucket (the hash family, hash_of_maps)
};

// What the value of a BPF_MAP_UPDATE_ELEM from user space names: an fd the kernel resolves to
// its object (a program, a map, a perf event), or plain bytes stored as given.
enum class UserValueFd : uint8_t { None, Program, Map, PerfEvent };

struct MapTypeInfo {
    MapType type = MapType::Unspec;
    const char* name = "";   // libbpf's and bpftool's name ("lru_percpu_hash")
    bool percpu = false;     // one value per CPU
    bool lru = false;        // least-recently-used eviction
    bool index_keys = false; // keys are u32 indexes 0..max_entries-1 (array-like)
    ProgramMapAccess program_access = ProgramMapAccess::ReadWrite;
    const char* program_hint = ""; // what programs use it for, when program_access is not ReadWrite
    // The type's map_alloc_check; null: bpfplay does not implement the type.
    MapCheckResult (*alloc_check)(const MapCheck&) = nullptr;
    uint64_t (*footprint)(const MapSpec&) = nullptr;        // host bytes, checked against kMaxMapBytes
    std::unique_ptr<Map> (*make)(const MapSpec&) = nullptr; // null when the host has no memory
    const char* summary = "";                               // one line for learners
    // The kernel's map_for_each_callback: bpf_for_each_map_elem walks maps of this type (the
    // verifier refuses the others).
    bool for_each = false;
    // BPF_MAP_UPDATE_ELEM from user space adds or sets entries. False where the kernel refuses
    // it: records come only from programs (ringbuf), from the producer API (user_ringbuf), or
    // from bpf_get_stackid (stack_trace); the page offers no entry editor for these.
    bool user_update = true;
    UserValueFd user_value_fd = UserValueFd::None;
    MapBatch batch = MapBatch::None;
};

// Indexed by the kernel's type number, Unspec .. Arena.
std::span<const MapTypeInfo> map_types();
// The row of type `t`, or nullptr past the last kernel type.
const MapTypeInfo* map_type_info(MapType t);

} // namespace bpfplay
