#pragma once
// Small helpers shared by the map tests.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"

namespace bpfplay::test {

template <class T>
std::vector<uint8_t> bytes(T v) {
    std::vector<uint8_t> out(sizeof v);
    std::memcpy(out.data(), &v, sizeof v);
    return out;
}

template <class T>
T as(std::span<const uint8_t> b) {
    T v{};
    REQUIRE(b.size() >= sizeof v);
    std::memcpy(&v, b.data(), sizeof v);
    return v;
}

inline MapSpec spec(MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries, uint32_t flags = 0,
                    const char* name = "m") {
    MapSpec s;
    s.type = type;
    s.name = name;
    s.key_size = key_size;
    s.value_size = value_size;
    s.max_entries = max_entries;
    s.map_flags = flags;
    return s;
}

// The errno a spec is refused with (0 when it is accepted).
inline int64_t create_errno(const MapSpec& s) {
    auto problem = check_map_spec(s);
    return problem ? problem->code : 0;
}

// Creates the map in `set` and returns it.
inline Map& add(MapSet& set, const MapSpec& s) {
    auto id = set.create(s);
    REQUIRE_MESSAGE(id.ok(), (id.ok() ? std::string() : id.error().to_string()));
    return *set.get(id.value());
}

// Userspace lookup of a u64 value (non-per-CPU maps).
template <class K>
int64_t user_get(Map& m, K key, uint64_t& out) {
    std::vector<uint8_t> v(m.user_value_size());
    const int64_t rc = m.lookup_user(bytes(key), v);
    if (rc == 0) std::memcpy(&out, v.data(), std::min<size_t>(8, v.size()));
    return rc;
}

// Reads the u64 at a virtual address of a map value.
inline uint64_t read_u64(MapSet& set, uint64_t vaddr) {
    auto loc = set.from_value_address(vaddr);
    REQUIRE(loc.has_value());
    uint64_t v;
    std::memcpy(&v, loc->map->value_region().data() + (vaddr & 0xffffffffull), 8);
    return v;
}

inline void write_u64(MapSet& set, uint64_t vaddr, uint64_t v) {
    auto loc = set.from_value_address(vaddr);
    REQUIRE(loc.has_value());
    std::memcpy(loc->map->value_region().data() + (vaddr & 0xffffffffull), &v, 8);
}

}  // namespace bpfplay::test
