// BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH.
#include <map>
#include <set>

#include "map_test_util.hpp"
#include "core/maps/hash_map.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace u = map_update;

TEST_CASE("hash: insert, look up, replace, delete") {
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 4, 8, 4, 0, "h"));
    CHECK(m.count() == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(7), 0) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(7), bytes<uint64_t>(70), u::kAny, 0) == 0);
    CHECK(m.count() == 1);
    const uint64_t addr = m.lookup_elem(bytes<uint32_t>(7), 0);
    CHECK(addr == m.value_base());  // the first entry takes slot 0
    CHECK(read_u64(set, addr) == 70);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(7), v) == 0);
    CHECK(v == 70);
    CHECK(user_get(m, uint32_t(8), v) == -e::kENOENT);
    CHECK(m.delete_elem(bytes<uint32_t>(7)) == 0);
    CHECK(m.count() == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(7), 0) == 0);
    CHECK(m.delete_elem(bytes<uint32_t>(7)) == -e::kENOENT);
    CHECK(m.delete_user(bytes<uint32_t>(7)) == -e::kENOENT);
}

TEST_CASE("hash: BPF_NOEXIST, BPF_EXIST, bad flags, full map") {
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 4, 8, 2));
    const auto v = bytes<uint64_t>(1);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, u::kExist, 0) == -e::kENOENT);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, u::kNoExist, 0) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, u::kNoExist, 0) == -e::kEEXIST);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, u::kExist, 0) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, 3, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, 1ull << 40, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(1), v, u::kLock, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(2), v, u::kAny, 0) == 0);
    // Full: a new key is -E2BIG, whatever the flags allow.
    CHECK(m.update_elem(bytes<uint32_t>(3), v, u::kAny, 0) == -e::kE2BIG);
    CHECK(m.update_elem(bytes<uint32_t>(3), v, u::kNoExist, 0) == -e::kE2BIG);
    CHECK(m.update_user(bytes<uint32_t>(3), v, u::kAny) == -e::kE2BIG);
    // ... but replacing an existing key in a full map works (it uses a spare element).
    CHECK(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(22), u::kAny, 0) == 0);
    CHECK(m.count() == 2);
    // After a delete there is room again.
    CHECK(m.delete_user(bytes<uint32_t>(1)) == 0);
    CHECK(m.update_user(bytes<uint32_t>(3), v, u::kNoExist) == 0);
}

TEST_CASE("hash: replacing a key moves it to the CPU's spare element, as the kernel does") {
    MapSet set;
    MapSpec s = spec(MapType::Hash, 4, 8, 2);
    s.ncpus = 2;
    Map& m = add(set, s);
    CHECK(m.slot_count() == 4);  // max_entries + one spare per CPU
    REQUIRE(m.update_elem(bytes<uint32_t>(5), bytes<uint64_t>(50), u::kAny, 0) == 0);
    const uint64_t before = m.lookup_elem(bytes<uint32_t>(5), 0);
    CHECK(before == m.value_address(0));
    // A program on CPU 1 replaces the value: it lands in CPU 1's spare (slot 3).
    REQUIRE(m.update_elem(bytes<uint32_t>(5), bytes<uint64_t>(51), u::kAny, 1) == 0);
    const uint64_t after = m.lookup_elem(bytes<uint32_t>(5), 0);
    CHECK(after == m.value_address(3));
    CHECK(read_u64(set, after) == 51);
    // The old pointer still reads the old bytes, and writes through it do not reach the map.
    CHECK(read_u64(set, before) == 50);
    write_u64(set, before, 99);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(5), v) == 0);
    CHECK(v == 51);
    // The old element is CPU 1's spare now: the next replace on CPU 1 reuses it.
    REQUIRE(m.update_elem(bytes<uint32_t>(5), bytes<uint64_t>(52), u::kAny, 1) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(5), 0) == before);
    CHECK(read_u64(set, before) == 52);
    // Userspace updates run on CPU 0: its spare is slot 2.
    REQUIRE(m.update_user(bytes<uint32_t>(5), bytes<uint64_t>(53), u::kAny) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(5), 0) == m.value_address(2));
    CHECK(m.count() == 1);
    // The debugger can tell a live slot from a stale one.
    auto live = set.from_value_address(m.value_address(2) + 4);
    REQUIRE(live);
    CHECK(live->slot == 2);
    CHECK(live->offset == 4);
    REQUIRE(live->key.has_value());
    CHECK(as<uint32_t>(*live->key) == 5);
    auto stale = set.from_value_address(before);
    REQUIRE(stale);
    CHECK_FALSE(stale->key.has_value());
}

TEST_CASE("hash: a freed slot is reused first and its value is overwritten, padding zeroed") {
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 4, 4, 4));
    REQUIRE(m.update_user(bytes<uint32_t>(1), bytes<uint32_t>(0x11111111), u::kAny) == 0);
    REQUIRE(m.update_user(bytes<uint32_t>(2), bytes<uint32_t>(0x22222222), u::kAny) == 0);
    const uint64_t a2 = m.lookup_elem(bytes<uint32_t>(2), 0);
    CHECK(a2 == m.value_address(1));
    // Dirty the padding through the pointer (a program could), then delete the entry.
    write_u64(set, a2, 0xffffffff22222222ull);
    REQUIRE(m.delete_user(bytes<uint32_t>(2)) == 0);
    // The bytes stay mapped: a stale pointer still reads them.
    CHECK(read_u64(set, a2) == 0xffffffff22222222ull);
    REQUIRE(m.update_user(bytes<uint32_t>(3), bytes<uint32_t>(0x33), u::kAny) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(3), 0) == a2);
    CHECK(read_u64(set, a2) == 0x33);
}

TEST_CASE("hash: get_next_key walks every key exactly once, in insertion order") {
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 8, 8, 64));
    std::vector<uint8_t> next(8);
    CHECK(m.get_next_key({}, next) == -e::kENOENT);  // empty map
    for (uint64_t k = 0; k < 40; ++k)
        REQUIRE(m.update_user(bytes<uint64_t>(k * 1000003), bytes<uint64_t>(k), u::kAny) == 0);
    for (uint64_t k = 0; k < 40; k += 3) REQUIRE(m.delete_user(bytes<uint64_t>(k * 1000003)) == 0);
    std::vector<uint64_t> walked;
    std::vector<uint8_t> cur;
    while (m.get_next_key(cur, next) == 0) {
        walked.push_back(as<uint64_t>(next));
        cur = next;
        REQUIRE(walked.size() <= 40);
    }
    std::vector<uint64_t> expect;
    for (uint64_t k = 0; k < 40; ++k)
        if (k % 3 != 0) expect.push_back(k * 1000003);
    CHECK(walked == expect);
    CHECK(m.count() == expect.size());
    // A key that is not in the map restarts from the first.
    REQUIRE(m.get_next_key(bytes<uint64_t>(12345), next) == 0);
    CHECK(as<uint64_t>(next) == expect.front());
    // The last key ends the walk.
    CHECK(m.get_next_key(bytes<uint64_t>(expect.back()), next) == -e::kENOENT);
    // entries() lists the same order, with values.
    auto entries = m.entries();
    REQUIRE(entries.size() == expect.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        CHECK(as<uint64_t>(entries[i].key) == expect[i]);
        CHECK(as<uint64_t>(entries[i].values.at(0)) == expect[i] / 1000003);
    }
}

TEST_CASE("hash: the delete-while-walking idiom terminates and empties the map") {
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 4, 4, 16));
    for (uint32_t k = 0; k < 16; ++k) REQUIRE(m.update_user(bytes(k), bytes(k), u::kAny) == 0);
    std::vector<uint8_t> key(4);
    int steps = 0;
    while (m.get_next_key({}, key) == 0 && steps++ < 100) REQUIRE(m.delete_user(key) == 0);
    CHECK(m.count() == 0);
    CHECK(steps == 16);
}

TEST_CASE("hash: matches a reference model over many random operations") {
    // Exercises the key index (collisions, backward-shift deletes) and the free slot stack.
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 4, 4, 200));
    std::map<uint32_t, uint32_t> model;
    uint64_t rng = 42;
    auto next_rand = [&] {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return uint32_t(rng >> 33);
    };
    for (int i = 0; i < 20000; ++i) {
        const uint32_t key = next_rand() % 300;
        const uint32_t op = next_rand() % 4;
        if (op == 0) {
            const int64_t rc = m.delete_user(bytes(key));
            CHECK(rc == (model.erase(key) ? 0 : -e::kENOENT));
        } else if (op == 1) {
            uint64_t v = 0;
            const int64_t rc = user_get(m, key, v);
            auto it = model.find(key);
            REQUIRE(rc == (it == model.end() ? -e::kENOENT : 0));
            if (it != model.end()) CHECK(uint32_t(v) == it->second);
        } else {
            const uint32_t val = next_rand();
            const int64_t rc = m.update_user(bytes(key), bytes(val), u::kAny);
            if (model.count(key) || model.size() < 200) {
                REQUIRE(rc == 0);
                model[key] = val;
            } else {
                REQUIRE(rc == -e::kE2BIG);
            }
        }
        REQUIRE(m.count() == model.size());
    }
    std::set<uint32_t> walked;
    for (auto& entry : m.entries()) CHECK(walked.insert(as<uint32_t>(entry.key)).second);
    CHECK(walked.size() == model.size());
}

TEST_CASE("percpu_hash: per-CPU values, zeroed on creation from a program") {
    MapSet set;
    MapSpec s = spec(MapType::PercpuHash, 4, 8, 2, 0, "pch");
    s.ncpus = 3;
    Map& m = add(set, s);
    CHECK(m.slot_count() == 2);  // per-CPU maps update in place: no spare elements
    CHECK(m.user_value_size() == 24);
    // Userspace fills CPU 0's value of a slot, deletes the key; a program on CPU 2 then creates
    // a key in that slot: its CPU gets the value, the others are zeroed.
    std::vector<uint8_t> all(24, 0xee);
    REQUIRE(m.update_user(bytes<uint32_t>(1), all, u::kAny) == 0);
    REQUIRE(m.delete_user(bytes<uint32_t>(1)) == 0);
    REQUIRE(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(77), u::kAny, 2) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(2), 0) == m.value_address(0, 0));
    REQUIRE(m.lookup_user(bytes<uint32_t>(2), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(16, 8)) == 77);
    // A write on CPU 1 is not seen on CPU 0.
    write_u64(set, m.lookup_elem(bytes<uint32_t>(2), 1), 11);
    CHECK(read_u64(set, m.lookup_elem(bytes<uint32_t>(2), 0)) == 0);
    // Replacing from a program changes only that CPU's value, in place.
    const uint64_t addr0 = m.lookup_elem(bytes<uint32_t>(2), 0);
    REQUIRE(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(5), u::kExist, 0) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(2), 0) == addr0);
    REQUIRE(m.lookup_user(bytes<uint32_t>(2), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 5);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 11);
    CHECK(as<uint64_t>(std::span(all).subspan(16, 8)) == 77);
    // Per-CPU hashes take no BPF_F_LOCK at all (flags > BPF_EXIST).
    CHECK(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(5), u::kLock, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(5), u::kNoExist, 0) == -e::kEEXIST);
    CHECK(m.update_elem(bytes<uint32_t>(3), bytes<uint64_t>(5), u::kExist, 0) == -e::kENOENT);
    // Full.
    REQUIRE(m.update_user(bytes<uint32_t>(3), all, u::kAny) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(4), bytes<uint64_t>(5), u::kAny, 0) == -e::kE2BIG);
    // Display: one value per CPU.
    auto entries = m.entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].values.size() == 3);
    // from_value_address names the CPU.
    auto loc = set.from_value_address(m.lookup_elem(bytes<uint32_t>(3), 2) + 3);
    REQUIRE(loc);
    CHECK(loc->cpu == 2);
    CHECK(loc->offset == 3);
    CHECK(as<uint32_t>(*loc->key) == 3);
}

TEST_CASE("hash keys of odd sizes") {
    MapSet set;
    Map& m = add(set, spec(MapType::Hash, 13, 1, 8));
    std::vector<uint8_t> k1(13, 1), k2(13, 1);
    k2[12] = 2;
    CHECK(m.update_user(k1, std::vector<uint8_t>{1}, u::kAny) == 0);
    CHECK(m.update_user(k2, std::vector<uint8_t>{2}, u::kAny) == 0);
    std::vector<uint8_t> v(1);
    REQUIRE(m.lookup_user(k2, v) == 0);
    CHECK(v[0] == 2);
    auto* hash = dynamic_cast<HashMap*>(&m);
    REQUIRE(hash);
    CHECK(hash->slot_of(k2) == std::optional<uint32_t>(1));
    CHECK_FALSE(hash->slot_of(std::vector<uint8_t>(13, 9)).has_value());
}

TEST_CASE("hash: BPF_MAP_LOOKUP_AND_DELETE_ELEM returns the value and deletes it, as Linux 6.18") {
    for (MapType t : {MapType::Hash, MapType::LruHash}) {
        CAPTURE(map_type_name(t));
        auto made = create_map(spec(t, 4, 4, 4));
        REQUIRE(made.ok());
        Map& m = *made.value();
        REQUIRE(m.update_user(bytes(uint32_t(1)), bytes(uint32_t(5))) == 0);
        std::vector<uint8_t> out(4);
        CHECK(m.lookup_and_delete_user(bytes(uint32_t(1)), out) == 0);
        CHECK(as<uint32_t>(out) == 5);
        CHECK(m.count() == 0);
        CHECK(m.lookup_and_delete_user(bytes(uint32_t(1)), out) == -e::kENOENT);
        CHECK(m.lookup_and_delete_user(bytes(uint32_t(1)), out, 1) == -e::kEINVAL);
        CHECK(m.lookup_and_delete_user(bytes(uint32_t(1)), out, map_update::kLock) == -e::kEINVAL);
    }
    // Other types: -ENOTSUPP (524), still -EINVAL for flags.
    auto arr = create_map(spec(MapType::Array, 4, 4, 4));
    REQUIRE(arr.ok());
    std::vector<uint8_t> out(4);
    CHECK(arr.value()->lookup_and_delete_user(bytes(uint32_t(1)), out) == -e::kENOTSUPP);
    CHECK(arr.value()->lookup_and_delete_user(bytes(uint32_t(1)), out, 1) == -e::kEINVAL);
}

}  // namespace
}  // namespace bpfplay
