// BPF_MAP_TYPE_PROG_ARRAY, ARRAY_OF_MAPS and HASH_OF_MAPS.
#include "map_test_util.hpp"
#include "core/maps/fd_array_map.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace u = map_update;

TEST_CASE("prog_array: userspace stores program indexes; programs cannot use it directly") {
    MapSet set;
    set.set_program_validator([](uint32_t index) { return index < 3; });
    Map& m = add(set, spec(MapType::ProgArray, 4, 4, 4, 0, "jmp"));
    CHECK_FALSE(m.program_visible());
    CHECK(m.value_base() == 0);
    CHECK(m.count() == 0);
    CHECK(m.update_user(bytes<uint32_t>(1), bytes<uint32_t>(2), u::kAny) == 0);
    CHECK(m.count() == 1);
    // Only BPF_ANY; the flags are checked before the index, the index before the program.
    CHECK(m.update_user(bytes<uint32_t>(1), bytes<uint32_t>(2), u::kNoExist) == -e::kEINVAL);
    CHECK(m.update_user(bytes<uint32_t>(1), bytes<uint32_t>(2), u::kExist) == -e::kEINVAL);
    CHECK(m.update_user(bytes<uint32_t>(4), bytes<uint32_t>(9), u::kAny) == -e::kE2BIG);
    CHECK(m.update_user(bytes<uint32_t>(4), bytes<uint32_t>(9), u::kExist) == -e::kEINVAL);
    CHECK(m.update_user(bytes<uint32_t>(0), bytes<uint32_t>(3), u::kAny) == -e::kEBADF);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(1), v) == 0);
    CHECK(uint32_t(v) == 2);
    CHECK(user_get(m, uint32_t(0), v) == -e::kENOENT);
    CHECK(user_get(m, uint32_t(7), v) == -e::kENOENT);
    CHECK(dynamic_cast<FdArrayMap&>(m).reference_at(1) == std::optional<uint32_t>(2));
    CHECK_FALSE(dynamic_cast<FdArrayMap&>(m).reference_at(0).has_value());
    // Program side: the verifier never allows these; the model answers 0 / -EOPNOTSUPP.
    CHECK(m.lookup_elem(bytes<uint32_t>(1), 0) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(1), bytes<uint32_t>(0), u::kAny, 0) == -e::kEOPNOTSUPP);
    // Delete: out of range -E2BIG, empty -ENOENT.
    CHECK(m.delete_user(bytes<uint32_t>(4)) == -e::kE2BIG);
    CHECK(m.delete_user(bytes<uint32_t>(0)) == -e::kENOENT);
    CHECK(m.delete_user(bytes<uint32_t>(1)) == 0);
    CHECK(m.delete_user(bytes<uint32_t>(1)) == -e::kENOENT);
    CHECK(m.count() == 0);
    // get_next_key walks every index, set or not (array_map_get_next_key).
    std::vector<uint8_t> next(4);
    CHECK(m.get_next_key({}, next) == 0);
    CHECK(as<uint32_t>(next) == 0);
    CHECK(m.get_next_key(bytes<uint32_t>(3), next) == -e::kENOENT);
    // Display lists only the set indexes.
    REQUIRE(m.update_user(bytes<uint32_t>(3), bytes<uint32_t>(1), u::kAny) == 0);
    auto entries = m.entries();
    REQUIRE(entries.size() == 1);
    CHECK(as<uint32_t>(entries[0].key) == 3);
    CHECK(as<uint32_t>(entries[0].values.at(0)) == 1);
}

TEST_CASE("array_of_maps: stores compatible maps by id; a program lookup returns the inner handle") {
    MapSet set;
    MapSpec outer = spec(MapType::ArrayOfMaps, 4, 4, 2, 0, "outer");
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 8, 4, 0, "tmpl"));
    Map& o = add(set, outer);
    Map& a = add(set, spec(MapType::Array, 4, 8, 4, 0, "a"));
    Map& bigger = add(set, spec(MapType::Array, 4, 8, 8, 0, "bigger"));
    Map& hash = add(set, spec(MapType::Hash, 4, 8, 4, 0, "h"));
    CHECK(o.update_user(bytes<uint32_t>(0), bytes(a.id()), u::kAny) == 0);
    // bpf_map_meta_equal: type, sizes and flags must match; arrays also max_entries.
    CHECK(o.update_user(bytes<uint32_t>(1), bytes(bigger.id()), u::kAny) == -e::kEINVAL);
    CHECK(o.update_user(bytes<uint32_t>(1), bytes(hash.id()), u::kAny) == -e::kEINVAL);
    CHECK(o.update_user(bytes<uint32_t>(1), bytes<uint32_t>(99), u::kAny) == -e::kEBADF);
    CHECK(o.update_user(bytes<uint32_t>(1), bytes(a.id()), u::kNoExist) == -e::kEINVAL);
    CHECK(o.update_user(bytes<uint32_t>(2), bytes(a.id()), u::kAny) == -e::kE2BIG);
    // The program gets the inner map's handle, which the helpers accept as a map.
    const uint64_t handle = o.lookup_elem(bytes<uint32_t>(0), 0);
    CHECK(handle == a.handle());
    CHECK(set.from_handle(handle) == &a);
    CHECK(o.lookup_elem(bytes<uint32_t>(1), 0) == 0);  // empty slot
    CHECK(o.lookup_elem(bytes<uint32_t>(2), 0) == 0);  // past the end
    // Userspace reads the id back.
    uint64_t v = 0;
    CHECK(user_get(o, uint32_t(0), v) == 0);
    CHECK(uint32_t(v) == a.id());
    CHECK(o.update_elem(bytes<uint32_t>(0), bytes(a.id()), u::kAny, 0) == -e::kEOPNOTSUPP);
    CHECK(o.delete_user(bytes<uint32_t>(0)) == 0);
    CHECK(o.lookup_elem(bytes<uint32_t>(0), 0) == 0);

    // With BPF_F_INNER_MAP in the template, inner arrays may differ in max_entries.
    MapSpec flexible = spec(MapType::ArrayOfMaps, 4, 4, 1, 0, "flex");
    flexible.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 8, 1, map_flag::kInnerMap));
    Map& f = add(set, flexible);
    Map& inner_small = add(set, spec(MapType::Array, 4, 8, 2, map_flag::kInnerMap));
    Map& inner_large = add(set, spec(MapType::Array, 4, 8, 64, map_flag::kInnerMap));
    CHECK(f.update_user(bytes<uint32_t>(0), bytes(inner_small.id()), u::kAny) == 0);
    CHECK(f.update_user(bytes<uint32_t>(0), bytes(inner_large.id()), u::kAny) == 0);
    CHECK(f.lookup_elem(bytes<uint32_t>(0), 0) == inner_large.handle());
    // The flags must still match exactly.
    CHECK(f.update_user(bytes<uint32_t>(0), bytes(a.id()), u::kAny) == -e::kEINVAL);
}

TEST_CASE("hash_of_maps: hash semantics around map references") {
    MapSet set;
    MapSpec outer = spec(MapType::HashOfMaps, 8, 4, 2, 0, "hom");
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Hash, 4, 4, 16));
    Map& o = add(set, outer);
    CHECK_FALSE(o.program_visible());
    Map& h1 = add(set, spec(MapType::Hash, 4, 4, 16, 0, "h1"));
    Map& h2 = add(set, spec(MapType::Hash, 4, 4, 32, 0, "h2"));  // max_entries may differ for hashes
    Map& wrong = add(set, spec(MapType::Hash, 4, 8, 16, 0, "wrong"));
    CHECK(o.update_user(bytes<uint64_t>(100), bytes(h1.id()), u::kNoExist) == 0);
    CHECK(o.update_user(bytes<uint64_t>(100), bytes(h2.id()), u::kNoExist) == -e::kEEXIST);
    CHECK(o.update_user(bytes<uint64_t>(101), bytes(h2.id()), u::kExist) == -e::kENOENT);
    CHECK(o.update_user(bytes<uint64_t>(101), bytes(wrong.id()), u::kAny) == -e::kEINVAL);
    CHECK(o.update_user(bytes<uint64_t>(101), bytes<uint32_t>(77), u::kAny) == -e::kEBADF);
    CHECK(o.update_user(bytes<uint64_t>(101), bytes(h2.id()), u::kAny) == 0);
    CHECK(o.update_user(bytes<uint64_t>(102), bytes(h2.id()), u::kAny) == -e::kE2BIG);
    CHECK(o.lookup_elem(bytes<uint64_t>(100), 0) == h1.handle());
    CHECK(o.lookup_elem(bytes<uint64_t>(101), 0) == h2.handle());
    CHECK(o.lookup_elem(bytes<uint64_t>(102), 0) == 0);
    CHECK(o.update_user(bytes<uint64_t>(100), bytes(h2.id()), u::kExist) == 0);
    CHECK(o.lookup_elem(bytes<uint64_t>(100), 0) == h2.handle());
    uint64_t v = 0;
    CHECK(user_get(o, uint64_t(100), v) == 0);
    CHECK(uint32_t(v) == h2.id());
    CHECK(o.update_elem(bytes<uint64_t>(100), bytes(h1.id()), u::kAny, 0) == -e::kEOPNOTSUPP);
    CHECK(o.delete_user(bytes<uint64_t>(100)) == 0);
    CHECK(o.delete_user(bytes<uint64_t>(100)) == -e::kENOENT);
    CHECK(o.count() == 1);
}

TEST_CASE("maps of maps need a set to resolve ids") {
    MapSpec outer = spec(MapType::ArrayOfMaps, 4, 4, 2);
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 8, 4));
    auto m = create_map(outer);
    REQUIRE(m.ok());
    CHECK(m.value()->update_user(bytes<uint32_t>(0), bytes<uint32_t>(0), u::kAny) == -e::kEBADF);
}

}  // namespace
}  // namespace bpfplay
