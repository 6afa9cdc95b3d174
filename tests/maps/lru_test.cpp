// BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: exact (true) LRU eviction.
#include "map_test_util.hpp"
#include "core/maps/lru_hash_map.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace u = map_update;

std::vector<uint32_t> recency(const Map& m) {
    std::vector<uint32_t> out;
    for (auto& k : dynamic_cast<const LruHashMap&>(m).keys_by_recency()) out.push_back(as<uint32_t>(k));
    return out;
}

std::vector<uint32_t> keys(const Map& m) {
    std::vector<uint32_t> out;
    for (auto& entry : m.entries()) out.push_back(as<uint32_t>(entry.key));
    return out;
}

TEST_CASE("lru_hash: a new key in a full map evicts the least recently used entry") {
    MapSet set;
    Map& m = add(set, spec(MapType::LruHash, 4, 8, 3, 0, "lru"));
    for (uint32_t k = 1; k <= 3; ++k) REQUIRE(m.update_user(bytes(k), bytes<uint64_t>(k * 10), u::kAny) == 0);
    CHECK(recency(m) == std::vector<uint32_t>{1, 2, 3});
    // 4 evicts 1.
    REQUIRE(m.update_user(bytes<uint32_t>(4), bytes<uint64_t>(40), u::kAny) == 0);
    CHECK(keys(m) == std::vector<uint32_t>{2, 3, 4});
    CHECK(recency(m) == std::vector<uint32_t>{2, 3, 4});
    // A program's lookup of 2 makes it the most recently used: 5 evicts 3, then 6 evicts 4.
    CHECK(m.lookup_elem(bytes<uint32_t>(2), 0) != 0);
    CHECK(recency(m) == std::vector<uint32_t>{3, 4, 2});
    REQUIRE(m.update_elem(bytes<uint32_t>(5), bytes<uint64_t>(50), u::kAny, 0) == 0);
    CHECK(keys(m) == std::vector<uint32_t>{2, 4, 5});
    REQUIRE(m.update_elem(bytes<uint32_t>(6), bytes<uint64_t>(60), u::kNoExist, 1) == 0);
    CHECK(keys(m) == std::vector<uint32_t>{2, 5, 6});
    CHECK(recency(m) == std::vector<uint32_t>{2, 5, 6});
    CHECK(m.count() == 3);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(2), v) == 0);
    CHECK(v == 20);
    CHECK(user_get(m, uint32_t(1), v) == -e::kENOENT);
    CHECK(user_get(m, uint32_t(3), v) == -e::kENOENT);
}

TEST_CASE("lru_hash: what counts as a use") {
    MapSet set;
    Map& m = add(set, spec(MapType::LruHash, 4, 8, 3));
    for (uint32_t k = 1; k <= 3; ++k) REQUIRE(m.update_user(bytes(k), bytes<uint64_t>(k), u::kAny) == 0);
    // Userspace lookups and get_next_key do not touch the order ...
    uint64_t v = 0;
    REQUIRE(user_get(m, uint32_t(1), v) == 0);
    std::vector<uint8_t> next(4);
    REQUIRE(m.get_next_key(bytes<uint32_t>(1), next) == 0);
    CHECK(recency(m) == std::vector<uint32_t>{1, 2, 3});
    // ... a program lookup does, and so does an update from either side.
    REQUIRE(m.update_user(bytes<uint32_t>(1), bytes<uint64_t>(100), u::kExist) == 0);
    CHECK(recency(m) == std::vector<uint32_t>{2, 3, 1});
    REQUIRE(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(200), u::kAny, 0) == 0);
    CHECK(recency(m) == std::vector<uint32_t>{3, 1, 2});
    // A miss changes nothing.
    CHECK(m.lookup_elem(bytes<uint32_t>(9), 0) == 0);
    CHECK(recency(m) == std::vector<uint32_t>{3, 1, 2});
}

TEST_CASE("lru_hash: replacing or failing in a full map evicts nothing; deletes free room") {
    MapSet set;
    Map& m = add(set, spec(MapType::LruHash, 4, 8, 2));
    REQUIRE(m.update_user(bytes<uint32_t>(1), bytes<uint64_t>(1), u::kAny) == 0);
    REQUIRE(m.update_user(bytes<uint32_t>(2), bytes<uint64_t>(2), u::kAny) == 0);
    const uint64_t addr1 = m.lookup_elem(bytes<uint32_t>(1), 0);
    // Replacing an existing key updates it in place.
    REQUIRE(m.update_elem(bytes<uint32_t>(1), bytes<uint64_t>(11), u::kAny, 0) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(1), 0) == addr1);
    CHECK(read_u64(set, addr1) == 11);
    // Both keys stay; 1 is now the newest (the kernel links a new element for it).
    CHECK(keys(m) == std::vector<uint32_t>{2, 1});
    // Failed flag checks evict nothing.
    CHECK(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(0), u::kNoExist, 0) == -e::kEEXIST);
    CHECK(m.update_elem(bytes<uint32_t>(3), bytes<uint64_t>(0), u::kExist, 0) == -e::kENOENT);
    CHECK(keys(m) == std::vector<uint32_t>{2, 1});
    // Non-percpu LRU maps reject BPF_F_LOCK with the flags check (flags > BPF_EXIST).
    CHECK(m.update_elem(bytes<uint32_t>(1), bytes<uint64_t>(0), u::kLock, 0) == -e::kEINVAL);
    // After a delete, a new key takes the free slot without evicting.
    REQUIRE(m.delete_user(bytes<uint32_t>(2)) == 0);
    CHECK(m.delete_elem(bytes<uint32_t>(2)) == -e::kENOENT);
    REQUIRE(m.update_user(bytes<uint32_t>(3), bytes<uint64_t>(3), u::kAny) == 0);
    CHECK(keys(m) == std::vector<uint32_t>{1, 3});
    CHECK(recency(m) == std::vector<uint32_t>{1, 3});
    // The evicted entry's slot is reused for the new key.
    const uint64_t addr3 = m.lookup_elem(bytes<uint32_t>(3), 0);
    REQUIRE(m.update_user(bytes<uint32_t>(4), bytes<uint64_t>(4), u::kAny) == 0);  // evicts 1
    CHECK(m.lookup_elem(bytes<uint32_t>(4), 0) == addr1);
    CHECK(keys(m) == std::vector<uint32_t>{3, 4});
    CHECK(m.lookup_elem(bytes<uint32_t>(3), 0) == addr3);
}

TEST_CASE("lru_hash with one entry: every new key replaces the last") {
    MapSet set;
    Map& m = add(set, spec(MapType::LruHash, 4, 4, 1));
    for (uint32_t k = 0; k < 10; ++k) {
        REQUIRE(m.update_user(bytes(k), bytes(k), u::kAny) == 0);
        CHECK(keys(m) == std::vector<uint32_t>{k});
    }
}

TEST_CASE("lru_percpu_hash: per-CPU values and exact eviction") {
    MapSet set;
    MapSpec s = spec(MapType::LruPercpuHash, 4, 8, 2, 0, "lpc");
    s.ncpus = 2;
    Map& m = add(set, s);
    CHECK(m.slot_count() == 2);
    REQUIRE(m.update_elem(bytes<uint32_t>(1), bytes<uint64_t>(10), u::kAny, 1) == 0);
    REQUIRE(m.update_elem(bytes<uint32_t>(2), bytes<uint64_t>(20), u::kAny, 0) == 0);
    std::vector<uint8_t> all(16);
    REQUIRE(m.lookup_user(bytes<uint32_t>(1), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 10);
    // Touch 1 from a program on CPU 0; 3 then evicts 2.
    CHECK(m.lookup_elem(bytes<uint32_t>(1), 0) != 0);
    REQUIRE(m.update_elem(bytes<uint32_t>(3), bytes<uint64_t>(30), u::kAny, 1) == 0);
    CHECK(keys(m) == std::vector<uint32_t>{1, 3});
    // 3 took 2's slot: CPU 0's value there was zeroed, not left as 20.
    REQUIRE(m.lookup_user(bytes<uint32_t>(3), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 30);
    CHECK(m.update_elem(bytes<uint32_t>(3), bytes<uint64_t>(30), u::kLock, 1) == -e::kEINVAL);
    // Userspace writes every CPU.
    std::vector<uint8_t> in(16);
    in[0] = 7;
    in[8] = 8;
    REQUIRE(m.update_user(bytes<uint32_t>(9), in, u::kAny) == 0);  // evicts 1
    CHECK(keys(m) == std::vector<uint32_t>{3, 9});
    REQUIRE(m.lookup_user(bytes<uint32_t>(9), all) == 0);
    CHECK(all == in);
}

}  // namespace
}  // namespace bpfplay
