#pragma once
// Helper tests on assembly programs that use maps. ObjectSession::open_assembly makes a
// one-program object without maps; open_asm adds the given ones (ids in order), and the text
// may name them: "{rb}" is the handle of map "rb" (r1 = {rb} ll) and "{rb.value}" the address
// of its first value (where a ring buffer's data area or an array's entry 0 is mapped).
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/maps/map_set.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::testing {

inline MapSpec ringbuf_spec(std::string name, uint32_t bytes = 4096) {
    MapSpec s;
    s.type = MapType::Ringbuf;
    s.name = std::move(name);
    s.max_entries = bytes;
    return s;
}

inline MapSpec array_spec(std::string name, uint32_t value_size, uint32_t map_flags = 0) {
    MapSpec s;
    s.type = MapType::Array;
    s.name = std::move(name);
    s.key_size = 4;
    s.value_size = value_size;
    s.max_entries = 1;
    s.map_flags = map_flags;
    return s;
}

inline std::unique_ptr<ObjectSession> open_asm(std::string text, const std::vector<MapSpec>& maps,
                                               std::string_view section = "xdp") {
    // Map i's values are at window kFirstFree + i (MapSet::add) when the maps before it all
    // have values programs address (put prog arrays last); checked once the maps exist.
    for (uint32_t i = 0; i < maps.size(); ++i) {
        const std::string handle = "{" + maps[i].name + "}", value = "{" + maps[i].name + ".value}";
        for (size_t at; (at = text.find(handle)) != std::string::npos;)
            text.replace(at, handle.size(), std::to_string(map_handle(i)));
        for (size_t at; (at = text.find(value)) != std::string::npos;)
            text.replace(at, value.size(), std::to_string(window_base(window::kFirstFree + i)));
    }
    auto s = ObjectSession::open_assembly(text, section);
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    for (uint32_t i = 0; i < maps.size(); ++i) {
        auto id = s.value()->object().maps->create(maps[i]);
        REQUIRE_MESSAGE(id.ok(), (id.ok() ? std::string() : id.error().to_string()));
        REQUIRE(id.value() == i);
        const uint64_t values = s.value()->object().maps->get(i)->value_base();
        REQUIRE((values == window_base(window::kFirstFree + i) || values == 0));
    }
    return std::move(s).value();
}

// One run on a 64-byte zero packet.
inline RunResult run_asm(ObjectSession& s) {
    RunInput in;
    in.packet.assign(64, 0);
    return s.run("asm", in);
}

// The value at key 0 of the object's first map: where the tests' programs leave their results.
inline std::vector<uint8_t> out_value(ObjectSession& s) {
    Map& m = *s.object().maps->get(0);
    std::vector<uint8_t> key(4, 0), value(m.value_size());
    REQUIRE(m.lookup_user(key, value) == 0);
    return value;
}

// The little-endian u64 at byte `at` of `v`.
inline uint64_t u64_at(const std::vector<uint8_t>& v, size_t at) {
    uint64_t x = 0;
    std::memcpy(&x, v.data() + at, 8);
    return x;
}

} // namespace bpfplay::testing
