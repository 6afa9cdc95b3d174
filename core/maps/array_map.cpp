#include "core/maps/array_map.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/memory.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace u = map_update;

uint64_t ArrayMap::footprint(const MapSpec& spec) {
    const uint64_t all = uint64_t(spec.max_entries) * stride_of(spec) * cpus_of(spec);
    // A zero-lazy array takes its zero chunk at creation; written chunks come later.
    return zero_lazily(spec) ? std::min<uint64_t>(all, kMapChunkBytes + uint64_t(stride_of(spec)) * cpus_of(spec))
                             : all;
}

bool ArrayMap::zero_lazily(const MapSpec& spec) {
    // Global data and mmapable arrays are one buffer; so are small arrays. The values must fit
    // the map's 4 GiB address window.
    const uint64_t all = uint64_t(spec.max_entries) * stride_of(spec) * cpus_of(spec);
    return all > kEagerMapBytes && all <= UINT32_MAX && spec.max_entries > 1 &&
           !(spec.map_flags & map_flag::kMmapable);
}

ArrayMap::ArrayMap(const MapSpec& spec)
    : Map(spec, spec.max_entries, stride_of(spec) * cpus_of(spec), /*program_visible=*/true) {}

std::unique_ptr<ArrayMap> ArrayMap::make(const MapSpec& spec) {
    std::unique_ptr<ArrayMap> map(new ArrayMap(spec));
    if (zero_lazily(spec)) map->allocate_storage_zero_lazily();
    else if (!map->allocate_storage()) return nullptr;
    return map;
}

uint64_t ArrayMap::do_lookup_elem(const uint8_t* key, uint32_t cpu) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return 0;
    return value_address(index, is_percpu() ? cpu : 0);
}

// array_map_update_elem: the same from programs and (for plain arrays) from userspace.
int64_t ArrayMap::do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) {
    const uint32_t index = load_le<uint32_t>(key);
    if ((flags & ~u::kLock) > u::kExist) return -e::kEINVAL;  // unknown flags
    if (index >= max_entries()) return -e::kE2BIG;            // cannot insert past the preallocated end
    if (flags & u::kNoExist) return -e::kEEXIST;               // every element already exists
    if (flags & u::kLock) return -e::kEINVAL;                  // no bpf_spin_lock in the value
    if (!make_writable(index)) return -e::kENOMEM;  // a large array out of its memory budget
    // copy_map_value copies value_size bytes; the padding up to 8 is left as it is.
    std::memmove(slot_ptr(index, is_percpu() ? cpu : 0), value, value_size());
    return 0;
}

int64_t ArrayMap::do_delete_elem(const uint8_t*) { return -e::kEINVAL; }

int64_t ArrayMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kENOENT;
    // Per-CPU: every CPU's rounded-up value, back to back (bpf_percpu_array_copy).
    std::memcpy(value, std::as_const(*this).slot_ptr(index), is_percpu() ? slot_bytes() : value_size());
    return 0;
}

int64_t ArrayMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    if (!is_percpu()) return do_update_elem(key, value, flags, 0);
    // bpf_percpu_array_update: stricter flag check, then every CPU's rounded-up value.
    const uint32_t index = load_le<uint32_t>(key);
    if (flags > u::kExist) return -e::kEINVAL;
    if (index >= max_entries()) return -e::kE2BIG;
    if (flags == u::kNoExist) return -e::kEEXIST;
    if (!make_writable(index)) return -e::kENOMEM;
    std::memmove(slot_ptr(index), value, slot_bytes());
    return 0;
}

int64_t array_get_next_key(uint32_t max_entries, const uint8_t* key_or_null, uint8_t* next_key) {
    const uint32_t index = key_or_null ? load_le<uint32_t>(key_or_null) : UINT32_MAX;
    if (index >= max_entries) {
        store_le<uint32_t>(next_key, 0);
        return 0;
    }
    if (index == max_entries - 1) return -e::kENOENT;
    store_le<uint32_t>(next_key, index + 1);
    return 0;
}

int64_t ArrayMap::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    return array_get_next_key(max_entries(), key_or_null, next_key);
}

void ArrayMap::for_each_entry(const EntryVisitor& visit) const {
    uint8_t key[4];
    for (uint32_t i = 0; i < max_entries(); ++i) {
        store_le<uint32_t>(key, i);
        if (!visit(std::span<const uint8_t>(key, 4), i)) return;
    }
}

std::optional<std::vector<uint8_t>> ArrayMap::key_of_slot(uint32_t slot) const {
    if (slot >= max_entries()) return std::nullopt;
    std::vector<uint8_t> key(4);
    store_le<uint32_t>(key.data(), slot);
    return key;
}


MapCheckResult ArrayMap::alloc_check(const MapCheck& c) {
    namespace f = map_flag;
    constexpr uint32_t kCreateFlags = f::kNumaNode | f::kMmapable | f::kAccessMask | f::kPreserveElems | f::kInnerMap;
    constexpr uint64_t kIntMax = 0x7fffffff;
    const MapSpec& s = c.spec();
    const bool percpu = s.type == MapType::PercpuArray;
    if (auto err = c.zero_sizes(false)) return err;
    if (s.key_size != 4)
        return c.fail(-kerrno::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) +
                          ", but array keys are u32 indexes: key_size must be 4",
                      "Declare the key as __u32.");
    if (auto err = c.unknown_flags(kCreateFlags)) return err;
    if (auto err = c.access_flags()) return err;
    if (percpu && (s.map_flags & f::kNumaNode))
        return c.fail(-kerrno::kEINVAL,
                      c.kind() + " is per-CPU and cannot be placed on one NUMA node (BPF_F_NUMA_NODE)");
    if (s.type != MapType::Array && (s.map_flags & (f::kMmapable | f::kInnerMap)))
        return c.fail(-kerrno::kEINVAL, c.kind() + ": " + map_flag_names(s.map_flags & (f::kMmapable | f::kInnerMap)) +
                                            " is only for plain array maps");
    if (s.type != MapType::PerfEventArray && (s.map_flags & f::kPreserveElems))
        return c.fail(-kerrno::kEINVAL, c.kind() + ": BPF_F_PRESERVE_ELEMS is only for perf_event_array maps");
    if (s.value_size > kIntMax)
        return c.fail(-kerrno::kE2BIG,
                      c.kind() + " has value_size " + std::to_string(s.value_size) + ", more than INT_MAX");
    if (percpu && round8(s.value_size) > kPcpuMinUnitSize)
        return c.fail(-kerrno::kE2BIG, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                           "; per-CPU values are at most 32768 bytes (PCPU_MIN_UNIT_SIZE)");
    return std::nullopt;
}

}  // namespace bpfplay
