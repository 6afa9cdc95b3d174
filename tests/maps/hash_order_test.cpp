// get_next_key and batch-lookup order of the hash family after a key's value is replaced,
// against Linux 6.18.44 on this machine (tests/kernel/hash_replace_order.c: u32 keys, u64
// values, max_entries 16, BPF_F_ZERO_SEED, keys 1..10 inserted in order from CPU 0).
//
// With seed 0 and 16 buckets, 4 and 10 share bucket 1 and 2 and 7 share bucket 10; the other
// keys are alone in theirs. A bucket lists its newest element first. HASH and LRU_HASH link a
// new element at the bucket's head when a key is replaced (it moves to the front of its
// bucket); PERCPU_HASH and LRU_PERCPU_HASH copy into the old element (it stays).
#include <doctest/doctest.h>

#include "core/maps/hash_map.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_batch.hpp"
#include "core/maps/map_types.hpp"
#include "maps/map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;

std::unique_ptr<Map> make_map(MapType type, uint32_t flags) {
    auto made = create_map(spec(type, 4, 8, 16, flags));
    REQUIRE(made.ok());
    return std::move(made.value());
}

int64_t put(Map& m, uint32_t key, uint64_t v, uint64_t flags = map_update::kAny) {
    std::vector<uint8_t> value(m.user_value_size(), 0);
    for (size_t off = 0; off + 8 <= value.size(); off += m.is_percpu() ? m.value_stride() : value.size())
        std::memcpy(value.data() + off, &v, 8);
    return m.update_user(bytes(key), value, flags);
}

std::vector<uint32_t> walk(Map& m) {
    std::vector<uint32_t> keys;
    std::vector<uint8_t> prev, next(4);
    while (keys.size() <= 16 && m.get_next_key(prev, next) == 0) {
        keys.push_back(as<uint32_t>(next));
        prev = next;
    }
    return keys;
}

std::vector<uint32_t> batch_keys(Map& m) {
    BatchRequest r;
    r.count = 32;
    BatchResult b = map_lookup_batch(m, r, false);
    CHECK(b.ret == -kerrno::kENOENT);
    std::vector<uint32_t> keys(b.count);
    std::memcpy(keys.data(), b.keys.data(), keys.size() * 4);
    return keys;
}

}  // namespace

TEST_CASE("hash family order after a replace, as Linux 6.18 gives it (BPF_F_ZERO_SEED)") {
    const std::vector<uint32_t> inserted{10, 4, 5, 7, 2, 1, 8, 9, 6, 3};
    const std::vector<uint32_t> moved{4, 10, 5, 2, 7, 1, 8, 9, 6, 3};
    struct Row {
        MapType type;
        bool moves;  // a replaced key becomes the first of its bucket
    };
    for (const Row& row : {Row{MapType::Hash, true}, Row{MapType::PercpuHash, false}, Row{MapType::LruHash, true},
                           Row{MapType::LruPercpuHash, false}}) {
        CAPTURE(map_type_name(row.type));
        auto m = make_map(row.type, map_flag::kZeroSeed);
        for (uint32_t k = 1; k <= 10; ++k) REQUIRE(put(*m, k, k * 10) == 0);
        CHECK(walk(*m) == inserted);
        CHECK(batch_keys(*m) == inserted);
        REQUIRE(put(*m, 4, 444) == 0);
        REQUIRE(put(*m, 2, 222, map_update::kExist) == 0);
        CHECK(walk(*m) == (row.moves ? moved : inserted));
        CHECK(batch_keys(*m) == (row.moves ? moved : inserted));
        // 7 and 10 replaced after them: back to the first order (3, alone in its bucket, stays last).
        REQUIRE(put(*m, 7, 777) == 0);
        REQUIRE(put(*m, 10, 1010) == 0);
        REQUIRE(put(*m, 3, 333) == 0);
        CHECK(walk(*m) == inserted);
        CHECK(batch_keys(*m) == inserted);
        // The values are the new ones wherever the key went.
        std::vector<uint8_t> value(m->user_value_size());
        REQUIRE(m->lookup_user(bytes(uint32_t(4)), value) == 0);
        CHECK(as<uint64_t>(value) == 444);
        // A key that is not in the map restarts the walk, as a NULL key does.
        std::vector<uint8_t> next(4);
        REQUIRE(m->get_next_key(bytes(uint32_t(99)), next) == 0);
        CHECK(as<uint32_t>(next) == 10);
        // After a delete the walk goes on from the same bucket order.
        REQUIRE(m->delete_user(bytes(uint32_t(10))) == 0);
        CHECK(walk(*m) == std::vector<uint32_t>{4, 5, 7, 2, 1, 8, 9, 6, 3});
        CHECK(walk(*m) == batch_keys(*m));
    }
}

TEST_CASE("without BPF_F_ZERO_SEED get_next_key walks oldest first; a HASH replace makes the key the newest") {
    // The kernel's order depends on its random seed there; bpfplay's keeps the kernel's rule of
    // which key a replace makes new.
    for (const auto& row : {std::pair{MapType::Hash, true}, std::pair{MapType::PercpuHash, false},
                            std::pair{MapType::LruHash, true}, std::pair{MapType::LruPercpuHash, false}}) {
        const bool moves = row.second;
        CAPTURE(map_type_name(row.first));
        auto m = make_map(row.first, 0);
        for (uint32_t k = 1; k <= 4; ++k) REQUIRE(put(*m, k, k) == 0);
        REQUIRE(put(*m, 2, 20) == 0);
        CHECK(walk(*m) == (moves ? std::vector<uint32_t>{1, 3, 4, 2} : std::vector<uint32_t>{1, 2, 3, 4}));
        // A failed replace (BPF_NOEXIST on an existing key) moves nothing.
        CHECK(put(*m, 1, 5, map_update::kNoExist) == -kerrno::kEEXIST);
        CHECK(walk(*m).front() == 1);
    }
}

TEST_CASE("a ZERO_SEED hash walk follows restore_state (reverse stepping) and state saved mid-walk") {
    auto m = make_map(MapType::Hash, map_flag::kZeroSeed);
    for (uint32_t k = 1; k <= 10; ++k) REQUIRE(put(*m, k, k) == 0);
    std::vector<uint8_t> saved;
    m->save_state(saved);
    CHECK(walk(*m).front() == 10);  // builds the walk
    REQUIRE(put(*m, 4, 44) == 0);
    CHECK(walk(*m).front() == 4);
    m->restore_state(saved);
    CHECK(walk(*m) == std::vector<uint32_t>{10, 4, 5, 7, 2, 1, 8, 9, 6, 3});
}

}  // namespace bpfplay
