// Hash maps too large to preallocate grow with their entries (HashMap::grows_lazily): slots
// are allocated a chunk at a time, never move, and the map's memory follows what it holds.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/maps/array_map.hpp"
#include "core/maps/hash_map.hpp"
#include "core/maps/lru_hash_map.hpp"
#include "core/memory.hpp"
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using test::add;
using test::bytes;
using test::spec;
namespace e = kerrno;

// katran's reals map: 4-byte keys, 8-byte values, a million entries (37 MiB preallocated).
MapSpec katran_sized(MapType t = MapType::Hash) { return spec(t, 4, 8, 1u << 20, 0, "big"); }

uint64_t put(Map& m, uint32_t key, uint64_t value) { return uint64_t(m.update_user(bytes(key), bytes(value))); }

} // namespace

TEST_CASE("growing hash: a million-entry map takes no slots until entries arrive, then a chunk at a time") {
    CHECK(HashMap::grows_lazily(katran_sized()));
    CHECK_FALSE(HashMap::grows_lazily(spec(MapType::Hash, 4, 8, 1000)));  // 25 KiB: preallocated
    CHECK(HashMap::footprint(katran_sized()) < 1024);
    MapSet set;
    Map& m = add(set, katran_sized());
    CHECK(m.grows());
    CHECK(m.slot_count() == (1u << 20) + 4);  // max_entries + one spare per CPU, as addressable
    CHECK(m.allocated_slots() == 0);
    CHECK(put(m, 7, 70) == 0);
    // One chunk: 64 KiB of 8-byte values.
    CHECK(m.allocated_slots() == 8192);
    for (uint32_t k = 100; k < 100 + 8191; ++k) REQUIRE(put(m, k, k) == 0);
    CHECK(m.count() == 8192);
    CHECK(m.allocated_slots() == 8192);
    CHECK(put(m, 1, 1) == 0);
    CHECK(m.allocated_slots() == 16384);
    uint64_t v = 0;
    CHECK(test::user_get(m, uint32_t(7), v) == 0);
    CHECK(v == 70);
    CHECK(test::user_get(m, uint32_t(8000), v) == 0);
    CHECK(v == 8000);
}

TEST_CASE("growing hash: value addresses programs hold stay valid while the map grows") {
    MapSet set;
    Map& m = add(set, katran_sized());
    Memory mem;
    set.map_into(mem);
    CHECK(put(m, 1, 11) == 0);
    const uint64_t addr = m.lookup_elem(bytes(uint32_t(1)), 0);
    REQUIRE(addr == m.value_base());  // slot 0
    for (uint32_t k = 2; k < 20000; ++k) REQUIRE(put(m, k, k) == 0);
    // The same address still reads and writes key 1's value, through the Memory mapped before.
    CHECK(m.lookup_elem(bytes(uint32_t(1)), 0) == addr);
    uint8_t* p = mem.write_ptr(addr, 8);
    REQUIRE(p);
    CHECK(load_le<uint64_t>(p) == 11);
    store_le<uint64_t>(p, 12);
    uint64_t v = 0;
    CHECK(test::user_get(m, uint32_t(1), v) == 0);
    CHECK(v == 12);
    // A value in a later chunk, through the chunk table.
    const uint64_t far = m.lookup_elem(bytes(uint32_t(19999)), 0);
    REQUIRE(far == m.value_base() + 19998u * 8);
    REQUIRE(mem.read_ptr(far, 8));
    CHECK(load_le<uint64_t>(mem.read_ptr(far, 8)) == 19999);
    CHECK(mem.helper_ptr(far, 8, false) == mem.read_ptr(far, 8));
    // An access that would cross into the next chunk is refused (values never span chunks).
    CHECK(mem.read_ptr(m.value_base() + 8192u * 8 - 4, 8) == nullptr);
    // Slots never handed out do not exist yet.
    const uint64_t beyond = m.value_base() + uint64_t(m.allocated_slots()) * 8;
    CHECK(mem.read_ptr(beyond, 8) == nullptr);
    const Error fault = mem.describe_fault(beyond, 8, Access::Load, 3);
    CHECK(fault.what.find("in slots that were never handed out") != std::string::npos);
    auto loc = set.from_value_address(far + 2);
    REQUIRE(loc);
    CHECK(loc->slot == 19998);
    CHECK(loc->offset == 2);
    CHECK(test::as<uint32_t>(*loc->key) == 19999);
    CHECK_FALSE(set.from_value_address(beyond));
}

TEST_CASE("growing hash: full at max_entries (-E2BIG), at the memory limit -ENOMEM") {
    // 4 KiB values x 300 entries: 1.2 MiB preallocated, so it grows, 16 slots a chunk.
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 4, 4096, 300));
    REQUIRE(m.grows());
    std::vector<uint8_t> value(4096, 0xab);
    for (uint32_t k = 0; k < 300; ++k) REQUIRE(m.update_user(bytes(k), value) == 0);
    CHECK(m.update_user(bytes(uint32_t(300)), value) == -e::kE2BIG);
    // Replacing still works: the spare comes from a new slot (300 + spares <= slot_count).
    CHECK(m.update_user(bytes(uint32_t(5)), value) == 0);
    CHECK(m.count() == 300);
    CHECK(m.delete_user(bytes(uint32_t(0))) == 0);
    CHECK(m.update_user(bytes(uint32_t(300)), value) == 0);

    // 64 KiB values x 2000 entries would be 125 MiB: the map stops growing at 64 MiB.
    Map& huge = add(set, spec(MapType::Hash, 4, 65536, 2000, 0, "huge"));
    REQUIRE(huge.grows());
    std::vector<uint8_t> big(65536, 1);
    uint32_t k = 0;
    int64_t rc = 0;
    while ((rc = huge.update_user(bytes(k), big)) == 0) ++k;
    CHECK(rc == -e::kENOMEM);
    CHECK(k == 1023);  // 1023 x (64 KiB + bookkeeping) fits in 64 MiB, 1024 does not
    CHECK(huge.count() == 1023);
}

TEST_CASE("growing hash: restoring an earlier state gives the slots back, and growth after it is the same") {
    MapSet set;
    Map& m = add(set, katran_sized(MapType::LruHash));
    std::vector<uint8_t> empty;
    m.save_state(empty);
    for (uint32_t k = 0; k < 9000; ++k) REQUIRE(put(m, k, k * 3) == 0);
    std::vector<uint8_t> full;
    m.save_state(full);
    CHECK(full.size() > empty.size());
    m.restore_state(empty);
    CHECK(m.count() == 0);
    CHECK(m.allocated_slots() == 0);
    CHECK(m.entries().empty());
    std::vector<uint8_t> again;
    m.save_state(again);
    CHECK(again == empty);
    // Growing again hands out the same slots, zeroed.
    CHECK(put(m, 42, 1) == 0);
    CHECK(m.lookup_elem(bytes(uint32_t(42)), 0) == m.value_base());
    m.restore_state(full);
    CHECK(m.count() == 9000);
    uint64_t v = 0;
    CHECK(test::user_get(m, uint32_t(8999), v) == 0);
    CHECK(v == 8999u * 3);
    CHECK(test::user_get(m, uint32_t(42), v) == 0);
    CHECK(v == 126);
    std::vector<uint8_t> after;
    m.save_state(after);
    CHECK(after == full);
}

TEST_CASE("growing LRU hash: evicts the least recently used once max_entries are in use") {
    MapSet set;
    Map& m = add(set, spec(MapType::LruHash, 4, 4096, 300));
    REQUIRE(m.grows());
    std::vector<uint8_t> value(4096, 1);
    for (uint32_t k = 0; k < 300; ++k) REQUIRE(m.update_user(bytes(k), value) == 0);
    CHECK(m.update_user(bytes(uint32_t(300)), value) == 0);
    CHECK(m.count() == 300);
    std::vector<uint8_t> out(4096);
    CHECK(m.lookup_user(bytes(uint32_t(0)), out) == -e::kENOENT);  // the oldest went
    CHECK(m.lookup_user(bytes(uint32_t(300)), out) == 0);
    CHECK(m.allocated_slots() == 300);  // 19 chunks of 16, the last cut at max_entries (no spares)
}

TEST_CASE("large arrays read as zeros and take memory where they are written (katran's ch_rings)") {
    // katran: MAX_VIPS 512 x RING_SIZE 65537 u32 entries, 256 MiB if preallocated.
    const MapSpec rings = spec(MapType::Array, 4, 4, 512u * 65537u, 0, "ch_rings");
    CHECK(ArrayMap::zero_lazily(rings));
    CHECK(ArrayMap::footprint(rings) <= kMapChunkBytes + 8);
    MapSet set;
    Map& m = add(set, rings);
    Memory mem;
    set.map_into(mem);
    CHECK(m.count() == 512u * 65537u);  // every element exists
    const uint32_t far_key = 512u * 65537u - 1;
    const uint64_t far = m.lookup_elem(bytes(far_key), 0);
    REQUIRE(far == m.value_base() + uint64_t(far_key) * 8);
    REQUIRE(mem.read_ptr(far, 4));
    CHECK(load_le<uint32_t>(mem.read_ptr(far, 4)) == 0);
    std::vector<uint8_t> empty;
    m.save_state(empty);
    CHECK(empty.size() < 64);  // nothing written yet
    // A program's store gives the chunk its own bytes; user space sees it.
    uint8_t* p = mem.write_ptr(far, 4);
    REQUIRE(p);
    store_le<uint32_t>(p, 77);
    std::vector<uint8_t> v(4);
    CHECK(m.lookup_user(bytes(far_key), v) == 0);
    CHECK(load_le<uint32_t>(v.data()) == 77);
    CHECK(m.update_user(bytes(uint32_t(3)), bytes(uint32_t(5))) == 0);
    CHECK(load_le<uint32_t>(mem.read_ptr(m.value_base() + 24, 4)) == 5);
    // Restoring the empty state zeroes what was written; the state is the same bytes again.
    std::vector<uint8_t> written;
    m.save_state(written);
    CHECK(written.size() > empty.size());
    m.restore_state(empty);
    CHECK(load_le<uint32_t>(mem.read_ptr(far, 4)) == 0);
    std::vector<uint8_t> again;
    m.save_state(again);
    CHECK(again == empty);
    m.restore_state(written);
    CHECK(m.lookup_user(bytes(far_key), v) == 0);
    CHECK(load_le<uint32_t>(v.data()) == 77);
    // Writing everywhere stops at the per-map budget: -ENOMEM from an update, a failed store.
    int64_t rc = 0;
    uint32_t k = 0;
    for (; k < 512u * 65537u && rc == 0; k += 8192) rc = m.update_user(bytes(k), bytes(uint32_t(1)));
    CHECK(rc == -kerrno::kENOMEM);
    // 1024 chunks of 64 KiB fill 64 MiB: chunks 0 to 1022 and the last one; chunk 1023 is refused.
    CHECK(k / 8192 - 1 == 1023);
}

} // namespace bpfplay
