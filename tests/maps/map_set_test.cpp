// MapSet: ids, windows, handles, mapping into Memory, and address -> entry for the debugger.
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace u = map_update;

TEST_CASE("map set: ids, handles and value windows") {
    MapSet set;
    Map& a = add(set, spec(MapType::Array, 4, 8, 2, 0, "a"));
    Map& p = add(set, spec(MapType::ProgArray, 4, 4, 2, 0, "p"));
    Map& h = add(set, spec(MapType::Hash, 4, 8, 2, 0, "h"));
    CHECK(set.size() == 3);
    CHECK(a.id() == 0);
    CHECK(p.id() == 1);
    CHECK(h.id() == 2);
    CHECK(a.handle() == 0x300000000ull);
    CHECK(p.handle() == 0x300000100ull);
    CHECK(h.handle() == 0x300000200ull);
    CHECK(map_handle(2) == kMapHandleBase + 0x200);
    CHECK(a.owner() == &set);
    // Windows go to maps with values only, in order, from window 16.
    CHECK(set.window_of(0) == std::optional<uint32_t>(16));
    CHECK_FALSE(set.window_of(1).has_value());
    CHECK(set.window_of(2) == std::optional<uint32_t>(17));
    CHECK(h.value_base() == window_base(17));
    CHECK(set.find("h") == &h);
    CHECK(set.find("nope") == nullptr);
    CHECK(set.get(3) == nullptr);
}

TEST_CASE("map set: from_handle accepts exact handles only") {
    MapSet set;
    Map& a = add(set, spec(MapType::Array, 4, 8, 2, 0, "a"));
    Map& b = add(set, spec(MapType::Array, 4, 8, 2, 0, "b"));
    CHECK(set.from_handle(a.handle()) == &a);
    CHECK(set.from_handle(b.handle()) == &b);
    CHECK(set.from_handle(a.handle() + 8) == nullptr);
    CHECK(set.from_handle(map_handle(2)) == nullptr);
    CHECK(set.from_handle(0) == nullptr);
    CHECK(set.from_handle(kMapHandleBase - 0x100) == nullptr);
    CHECK(set.from_handle(a.value_base()) == nullptr);
    const MapSet& cset = set;
    CHECK(cset.from_handle(b.handle()) == &b);
}

TEST_CASE("map set: map_into maps every value buffer with its permissions") {
    MapSet set;
    Map& rw = add(set, spec(MapType::Array, 4, 8, 2, 0, "rw"));
    Map& ro = add(set, spec(MapType::Array, 4, 8, 2, map_flag::kRdonlyProg, "ro"));
    Map& wo = add(set, spec(MapType::Array, 4, 8, 2, map_flag::kWronlyProg, "wo"));
    MapSpec pc = spec(MapType::PercpuHash, 4, 4, 3, 0, "pc");
    pc.ncpus = 2;
    Map& pch = add(set, pc);
    Memory mem;
    set.map_into(mem);
    const Region& r0 = mem.region(16);
    CHECK(r0.kind == RegionKind::MapValue);
    CHECK(r0.perm == kReadWrite);
    CHECK(r0.name == "rw");
    CHECK(r0.size == 16);
    CHECK(r0.host == rw.value_region().data());
    CHECK(mem.region(17).perm == kRead);
    CHECK(mem.region(18).perm == kWrite);
    CHECK(mem.region(19).size == 3 * 2 * 8);
    CHECK(mem.region(20).kind == RegionKind::None);
    // Handles are not memory: window 3 stays unmapped.
    CHECK(mem.read_ptr(rw.handle(), 8) == nullptr);
    // Loads and stores go to the map.
    REQUIRE(mem.write_ptr(rw.value_address(1), 8) != nullptr);
    store_le<uint64_t>(mem.write_ptr(rw.value_address(1), 8), 42);
    uint64_t v = 0;
    CHECK(user_get(rw, uint32_t(1), v) == 0);
    CHECK(v == 42);
    CHECK(mem.write_ptr(ro.value_address(0), 8) == nullptr);
    CHECK(mem.read_ptr(ro.value_address(0), 8) != nullptr);
    CHECK(mem.read_ptr(wo.value_address(0), 8) == nullptr);
    CHECK(mem.write_ptr(wo.value_address(0), 8) != nullptr);
    (void)pch;
}

TEST_CASE("map set: from_value_address tells map, entry, CPU and offset") {
    MapSet set;
    Map& arr = add(set, spec(MapType::Array, 4, 12, 4, 0, "arr"));
    auto loc = set.from_value_address(arr.value_base() + 16 + 5);
    REQUIRE(loc);
    CHECK(loc->map == &arr);
    CHECK(loc->map_id == 0);
    CHECK(loc->slot == 1);
    CHECK(loc->cpu == 0);
    CHECK(loc->offset == 5);
    CHECK(as<uint32_t>(*loc->key) == 1);
    // Inside the padding after a 12-byte value.
    loc = set.from_value_address(arr.value_base() + 16 + 13);
    REQUIRE(loc);
    CHECK(loc->offset == 13);
    CHECK_FALSE(set.from_value_address(arr.value_base() + 64).has_value());
    CHECK_FALSE(set.from_value_address(window_base(40)).has_value());
    CHECK_FALSE(set.from_value_address(arr.handle()).has_value());
    CHECK_FALSE(set.from_value_address(UINT64_MAX).has_value());
}

TEST_CASE("map set: direct value addresses for global data") {
    MapSet set;
    Map& data = add(set, spec(MapType::Array, 4, 24, 1, 0, ".data"));
    add(set, spec(MapType::Array, 4, 8, 2, 0, "arr"));
    auto addr = set.direct_value_address(0, 16);
    REQUIRE(addr.ok());
    CHECK(addr.value() == data.value_base() + 16);
    auto past = set.direct_value_address(0, 24);
    REQUIRE_FALSE(past.ok());
    CHECK(past.error().what.rfind("-EINVAL", 0) == 0);
    auto not_global = set.direct_value_address(1, 0);
    REQUIRE_FALSE(not_global.ok());
    CHECK(not_global.error().what.rfind("-ENOTSUPP", 0) == 0);
    CHECK(not_global.error().where.map == "arr");
    CHECK_FALSE(set.direct_value_address(5, 0).ok());
}

TEST_CASE("map set: the lddw resolver turns map references into handles and value addresses") {
    MapSet set;
    Map& data = add(set, spec(MapType::Array, 4, 8, 1, 0, ".bss"));
    Map& h = add(set, spec(MapType::Hash, 4, 8, 1, 0, "h"));
    auto resolve = set.lddw_resolver();
    CHECK(resolve(0, 1, 1, 0).value() == h.handle());
    CHECK(resolve(0, 5, 0, 0).value() == data.handle());
    CHECK(resolve(0, 2, 0, 4).value() == data.value_base() + 4);
    CHECK(resolve(0, 6, 0, 0).value() == data.value_base());
    auto bad = resolve(7, 1, 9, 0);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().where.pc == std::optional<uint32_t>(7));
    CHECK_FALSE(resolve(3, 2, 1, 0).ok());  // a hash has no direct value address
}

TEST_CASE("map set: running out of windows is an error, maps without values need none") {
    MapSet set(window::kFirstFree, window::kFirstFree + 2);
    add(set, spec(MapType::Array, 4, 8, 1, 0, "a"));
    add(set, spec(MapType::ProgArray, 4, 4, 1, 0, "p"));
    add(set, spec(MapType::Array, 4, 8, 1, 0, "b"));
    auto third = set.create(spec(MapType::Array, 4, 8, 1, 0, "c"));
    REQUIRE_FALSE(third.ok());
    CHECK(third.error().where.map == "c");
    CHECK(third.error().what.find("no address window") != std::string::npos);
    CHECK(set.create(spec(MapType::ProgArray, 4, 4, 1, 0, "q")).ok());
    // A refused spec comes back as the create error.
    auto bad = set.create(spec(MapType::Hash, 4, 8, 0, 0, "z"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().what.rfind("-EINVAL", 0) == 0);
    // A map can only belong to one set.
    MapSet other;
    auto map = create_map(spec(MapType::Array, 4, 8, 1));
    REQUIRE(map.ok());
    Map* raw = map.value().get();
    REQUIRE(other.add(std::move(map.value())).ok());
    CHECK(raw->owner() == &other);
    CHECK_FALSE(other.add(nullptr).ok());
}

}  // namespace
}  // namespace bpfplay
