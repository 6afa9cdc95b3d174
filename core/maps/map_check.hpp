#pragma once
// What BPF_MAP_CREATE's checks share (kernel/bpf/syscall.c map_create and the map types'
// map_alloc_check): the spec being checked, how a refusal is worded, and the flag checks many
// types make. Each map type's own check lives beside its implementation (ArrayMap::alloc_check,
// HashMap::alloc_check, ...) and is listed in the map type table (map_types.cpp).
#include <cstdint>
#include <optional>
#include <string>

#include "core/maps/map.hpp"

namespace bpfplay {

using MapCheckResult = std::optional<MapCreateError>;

class MapCheck {
  public:
    explicit MapCheck(const MapSpec& spec);

    const MapSpec& spec() const { return s_; }
    // "hash map \"counts\"": how messages name the map.
    const std::string& kind() const { return kind_; }

    // A refusal: the negative errno the kernel returns, and the explanation (kind Map, where.map set).
    MapCreateError fail(int64_t code, std::string what, std::string hint = {}) const;

    // -EINVAL when map_flags has bits outside `allowed`.
    MapCheckResult unknown_flags(uint32_t allowed) const;
    // bpf_map_flags_access_ok: not both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG.
    MapCheckResult access_flags() const;
    // max_entries, value_size (and key_size when `key_too`) must not be 0.
    MapCheckResult zero_sizes(bool key_too) const;

  private:
    const MapSpec& s_;
    std::string kind_;
};

// Names of the set bits of map_flags ("BPF_F_NO_PREALLOC | BPF_F_MMAPABLE").
std::string map_flag_names(uint32_t flags);

constexpr uint64_t kPcpuMinUnitSize = 32768;     // PCPU_MIN_UNIT_SIZE: the largest per-CPU value
constexpr uint64_t kKmallocMaxSize = 4ull << 20; // KMALLOC_MAX_SIZE on x86-64
constexpr uint64_t round8(uint64_t v) {
    return (v + 7) & ~uint64_t(7);
}

} // namespace bpfplay
