// Reverse execution over updates that make a growing hash map allocate slots: the helper's
// undo restores the map's whole earlier state (its length changed), slots and all.
// tests/loader/fixtures/sized_maps.c with "flows" sized to a million entries, as katran sizes
// its maps: the program adds key 1 on its first run and increments it on later ones.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/maps/map_set.hpp"
#include "debugger/debug_fixture.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {

TEST_CASE("stepping back over the update that grew a million-entry hash map restores it exactly") {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/sized_maps.o", std::ios::binary);
    const std::vector<uint8_t> elf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    REQUIRE_FALSE(elf.empty());
    Host host;
    host.map_sizes["flows"] = 1u << 20;
    auto object = ObjectSession::open(elf, "sized_maps.o", host);
    REQUIRE(object.ok());
    Map& flows = *(*object)->object().maps->find("flows");
    REQUIRE(flows.grows());
    CHECK(flows.allocated_slots() == 0);
    RunInput in;
    in.packet.assign(64, 0);
    auto s = DebugSession::open(**object, "count", in);
    REQUIRE(s.ok());
    const std::vector<std::string> forward = fingerprints_to_end(**s);
    CHECK((*s)->status() == RunStatus::Exited);
    CHECK(flows.count() == 1);
    CHECK(flows.allocated_slots() == 8192);
    require_same_states_back(**s, forward);
    CHECK(flows.count() == 0);
    CHECK(flows.allocated_slots() == 0);
    // Forward again: the same slot, the same address.
    const std::vector<std::string> again = fingerprints_to_end(**s);
    CHECK(again == forward);
}

TEST_CASE("stepping back over a store into a large array's unwritten chunk restores it exactly") {
    MapSpec big;
    big.type = MapType::Array;
    big.name = "big";
    big.key_size = 4;
    big.value_size = 8;
    big.max_entries = 1u << 20;  // 8 MiB: its chunks get memory when first written
    auto object = open_asm("r1 = 500000\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = {big} ll\ncall 1\n"
                           "if r0 == 0 goto out\nr1 = 7\n*(u64 *)(r0 + 0) = r1\nout:\nr0 = 0\nexit\n",
                           {big}, "kprobe/do_sys_openat2");
    Map& m = *object->object().maps->find("big");
    REQUIRE(m.zero_lazy());
    auto s = DebugSession::open(*object, "asm", RunInput{});
    REQUIRE(s.ok());
    const std::vector<std::string> forward = fingerprints_to_end(**s);
    std::vector<uint8_t> value(8);
    uint8_t key[4];
    const uint32_t k = 500000;
    std::memcpy(key, &k, 4);
    CHECK(m.lookup_user(key, value) == 0);
    CHECK(value[0] == 7);
    require_same_states_back(**s, forward);
    CHECK(m.lookup_user(key, value) == 0);
    CHECK(value[0] == 0);
}

} // namespace bpfplay::testing
