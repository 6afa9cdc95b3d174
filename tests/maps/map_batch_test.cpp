// The batch commands of bpf(2), each expectation recorded on this machine's Linux 6.18 with
// libbpf's bpf_map_*_batch (hash maps with BPF_F_ZERO_SEED, whose buckets are bpfplay's).
#include <doctest/doctest.h>

#include "core/maps/map_abi.hpp"
#include "core/maps/map_batch.hpp"
#include "core/maps/map_types.hpp"
#include "maps/map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;

std::unique_ptr<Map> make(const MapSpec& s) {
    auto made = create_map(s);
    REQUIRE(made.ok());
    return std::move(made.value());
}

BatchRequest req(uint32_t count, std::optional<std::vector<uint8_t>> in = std::nullopt) {
    BatchRequest r;
    r.count = count;
    r.in_batch = std::move(in);
    return r;
}

std::vector<uint32_t> u32s(const std::vector<uint8_t>& bytes) {
    std::vector<uint32_t> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST_CASE("batch commands by map type: the kernel's ops table (-ENOTSUPP where a type has none)") {
    struct Row { MapType type; uint32_t key, value, max, flags; int64_t lookup, lookup_delete, update, del; };
    const int64_t n = -e::kENOTSUPP;
    const Row rows[] = {
        {MapType::Array, 4, 8, 4, 0, 0, n, 0, n},
        {MapType::PercpuArray, 4, 8, 4, 0, 0, n, 0, n},
        {MapType::Hash, 4, 8, 4, 0, -e::kENOENT, -e::kENOENT, 0, 0},
        {MapType::PercpuHash, 4, 8, 4, 0, -e::kENOENT, -e::kENOENT, 0, 0},
        {MapType::LruHash, 4, 8, 4, 0, -e::kENOENT, -e::kENOENT, 0, 0},
        {MapType::LruPercpuHash, 4, 8, 4, 0, -e::kENOENT, -e::kENOENT, 0, 0},
        {MapType::LpmTrie, 8, 8, 4, map_flag::kNoPrealloc, -e::kENOENT, n, 0, 0},
        {MapType::Queue, 0, 8, 4, 0, n, n, n, n},
        {MapType::Stack, 0, 8, 4, 0, n, n, n, n},
        {MapType::Devmap, 4, 4, 4, 0, n, n, n, n},
        {MapType::BloomFilter, 0, 8, 4, 0, n, n, n, n},
        {MapType::ProgArray, 4, 4, 4, 0, n, n, n, n},
        {MapType::Sockmap, 4, 4, 4, 0, n, n, n, n},
    };
    for (const Row& row : rows) {
        CAPTURE(map_type_name(row.type));
        auto m = make(spec(row.type, row.key, row.value, row.max, row.flags));
        CHECK(map_lookup_batch(*m, req(2), false).ret == row.lookup);
        CHECK(map_lookup_batch(*m, req(2), true).ret == row.lookup_delete);
        CHECK(map_update_batch(*m, {}, {}, req(0)).ret == row.update);
        CHECK(map_delete_batch(*m, {}, req(0)).ret == row.del);
    }
}

TEST_CASE("array lookup batch: the generic walk, out_batch the last key, -ENOENT at the end") {
    auto a = make(spec(MapType::Array, 4, 8, 4));
    for (uint32_t k = 0; k < 4; ++k) REQUIRE(a->update_user(bytes(k), bytes(uint64_t(100 + k))) == 0);
    BatchResult first = map_lookup_batch(*a, req(3), false);
    CHECK(first.ret == 0);
    CHECK(first.count == 3);
    CHECK(u32s(first.keys) == std::vector<uint32_t>{0, 1, 2});
    CHECK(as<uint64_t>(std::span(first.values).subspan(16)) == 102);
    CHECK(first.out_batch == bytes(uint32_t(2)));
    BatchResult second = map_lookup_batch(*a, req(3, first.out_batch), false);
    CHECK(second.ret == -e::kENOENT);
    CHECK(second.count == 1);
    CHECK(u32s(second.keys) == std::vector<uint32_t>{3});
    CHECK(second.out_batch == bytes(uint32_t(3)));
    BatchResult after_last = map_lookup_batch(*a, req(3, bytes(uint32_t(3))), false);
    CHECK(after_last.ret == -e::kENOENT);
    CHECK(after_last.count == 0);
    CHECK_FALSE(after_last.out_batch.has_value());  // nothing copied: out_batch untouched
    // A key past the array restarts the walk (array_map_get_next_key).
    BatchResult restart = map_lookup_batch(*a, req(3, bytes(uint32_t(9))), false);
    CHECK(restart.ret == 0);
    CHECK(u32s(restart.keys) == std::vector<uint32_t>{0, 1, 2});
    CHECK(map_lookup_batch(*a, req(0), false).ret == 0);
    BatchRequest locked = req(1);
    locked.elem_flags = map_update::kLock;  // no bpf_spin_lock in the value
    CHECK(map_lookup_batch(*a, locked, false).ret == -e::kEINVAL);
    CHECK(map_lookup_batch(*a, locked, false).count == 1);  // untouched
    BatchRequest flagged = req(1);
    flagged.flags = 1;  // the generic walk does not look at batch.flags
    CHECK(map_lookup_batch(*a, flagged, false).ret == 0);
}

TEST_CASE("array update batch: stops at the first error and counts what was done; frozen is -EPERM") {
    auto a = make(spec(MapType::Array, 4, 8, 4));
    BatchRequest noexist = req(1);
    noexist.elem_flags = map_update::kNoExist;
    const auto one_key = bytes(uint32_t(0));
    const auto one_value = bytes(uint64_t(1));
    BatchResult r = map_update_batch(*a, one_key, one_value, noexist);
    CHECK(r.ret == -e::kEINVAL);
    CHECK(r.count == 1);
    const auto keys = concat({bytes(uint32_t(1)), bytes(uint32_t(7)), bytes(uint32_t(2))});
    const auto values = concat({bytes(uint64_t(5)), bytes(uint64_t(6)), bytes(uint64_t(7))});
    r = map_update_batch(*a, keys, values, req(3));
    CHECK(r.ret == -e::kE2BIG);
    CHECK(r.count == 1);
    uint64_t got = 0;
    CHECK(user_get(*a, uint32_t(1), got) == 0);
    CHECK(got == 5);
    CHECK(user_get(*a, uint32_t(2), got) == 0);
    CHECK(got == 0);  // after the failed key: not written
    // Buffers shorter than count entries: the kernel's copy_from_user fails.
    r = map_update_batch(*a, one_key, one_value, req(2));
    CHECK(r.ret == -e::kEFAULT);
    CHECK(r.count == 1);
    REQUIRE(a->freeze() == 0);
    r = map_update_batch(*a, one_key, one_value, req(1));
    CHECK(r.ret == -e::kEPERM);
    CHECK(r.count == 1);
    CHECK(map_lookup_batch(*a, req(2), false).ret == 0);  // reading a frozen map is fine
    auto q = make(spec(MapType::Queue, 0, 8, 4));
    REQUIRE(q->freeze() == 0);
    CHECK(map_delete_batch(*q, {}, req(1)).ret == -e::kEPERM);  // permissions before -ENOTSUPP
}

TEST_CASE("hash lookup batch: whole buckets in the kernel's order (BPF_F_ZERO_SEED), u32 bucket tokens") {
    auto h = make(spec(MapType::Hash, 4, 8, 5));  // 8 buckets
    for (uint32_t k = 10; k < 15; ++k) REQUIRE(h->update_user(bytes(k), bytes(uint64_t(k * 10))) == 0);
    BatchResult all = map_lookup_batch(*h, req(10), false);
    CHECK(all.ret == -e::kENOENT);
    CHECK(all.count == 5);
    CHECK(all.out_batch == bytes(uint32_t(8)));
    CHECK(u32s(all.keys) == std::vector<uint32_t>{10, 14, 13, 12, 11});
    CHECK(as<uint64_t>(std::span(all.values).subspan(8)) == 140);
    // Two at a time: a bucket of two that does not fit waits for the next call.
    BatchResult s0 = map_lookup_batch(*h, req(2), false);
    CHECK(s0.ret == 0);
    CHECK(u32s(s0.keys) == std::vector<uint32_t>{10, 14});
    CHECK(s0.out_batch == bytes(uint32_t(3)));
    BatchResult s1 = map_lookup_batch(*h, req(2, s0.out_batch), false);
    CHECK(s1.ret == 0);
    CHECK(u32s(s1.keys) == std::vector<uint32_t>{13});
    CHECK(s1.out_batch == bytes(uint32_t(5)));
    BatchResult s2 = map_lookup_batch(*h, req(2, s1.out_batch), false);
    CHECK(s2.ret == -e::kENOENT);
    CHECK(u32s(s2.keys) == std::vector<uint32_t>{12, 11});
    CHECK(s2.out_batch == bytes(uint32_t(8)));
    BatchResult one = map_lookup_batch(*h, req(1), false);
    CHECK(one.ret == 0);
    CHECK(u32s(one.keys) == std::vector<uint32_t>{10});
    CHECK(one.out_batch == bytes(uint32_t(2)));
    // Bucket 5 holds two entries: one does not fit and nothing was copied yet (from 4 too: the
    // empty bucket is passed over first).
    for (uint32_t from : {4u, 5u}) {
        BatchResult nospace = map_lookup_batch(*h, req(1, bytes(from)), false);
        CHECK(nospace.ret == -e::kENOSPC);
        CHECK(nospace.count == 0);
        CHECK(nospace.out_batch == bytes(uint32_t(5)));
    }
    BatchResult empty_rest = map_lookup_batch(*h, req(1, bytes(uint32_t(6))), false);
    CHECK(empty_rest.ret == -e::kENOENT);
    CHECK(empty_rest.count == 0);
    CHECK(empty_rest.out_batch == bytes(uint32_t(8)));
    BatchResult past = map_lookup_batch(*h, req(4, bytes(uint32_t(8))), false);
    CHECK(past.ret == -e::kENOENT);
    CHECK(past.count == 0);
    CHECK_FALSE(past.out_batch.has_value());
    BatchRequest flagged = req(1);
    flagged.flags = 1;
    CHECK(map_lookup_batch(*h, flagged, false).ret == -e::kEINVAL);
}

TEST_CASE("hash batches with keys of 6 bytes (jhash), lookup-and-delete, delete, update when full") {
    auto h = make(spec(MapType::Hash, 6, 4, 16));
    std::vector<uint8_t> key = {1, 2, 3, 4, 5, 0};
    for (uint8_t i = 0; i < 6; ++i) {
        key[5] = i;
        REQUIRE(h->update_user(key, bytes(uint32_t(i))) == 0);
    }
    const auto last_bytes = [](const BatchResult& r) {
        std::vector<uint8_t> out;
        for (size_t i = 5; i < r.keys.size(); i += 6) out.push_back(r.keys[i]);
        return out;
    };
    BatchResult all = map_lookup_batch(*h, req(16), false);
    CHECK(all.ret == -e::kENOENT);
    CHECK(all.out_batch == bytes(uint32_t(16)));
    CHECK(last_bytes(all) == std::vector<uint8_t>{5, 1, 0, 2, 3, 4});
    BatchResult taken = map_lookup_batch(*h, req(3), true);
    CHECK(taken.ret == 0);
    CHECK(taken.out_batch == bytes(uint32_t(9)));
    CHECK(last_bytes(taken) == std::vector<uint8_t>{5, 1, 0});
    CHECK(as<uint32_t>(std::span(taken.values).subspan(4)) == 1);
    BatchResult rest = map_lookup_batch(*h, req(16), false);
    CHECK(rest.count == 3);
    CHECK(last_bytes(rest) == std::vector<uint8_t>{2, 3, 4});

    auto small = make(spec(MapType::Hash, 4, 8, 5));
    for (uint32_t k = 10; k < 13; ++k) REQUIRE(small->update_user(bytes(k), bytes(uint64_t(k))) == 0);
    BatchResult del = map_delete_batch(*small, concat({bytes(uint32_t(10)), bytes(uint32_t(99)), bytes(uint32_t(11))}), req(3));
    CHECK(del.ret == -e::kENOENT);
    CHECK(del.count == 1);
    CHECK(small->count() == 2);
    for (uint32_t k = 0; k < 3; ++k) REQUIRE(small->update_user(bytes(k), bytes(uint64_t(k))) == 0);
    BatchResult full = map_update_batch(*small, concat({bytes(uint32_t(20)), bytes(uint32_t(21))}),
                                        concat({bytes(uint64_t(1)), bytes(uint64_t(2))}), req(2));
    CHECK(full.ret == -e::kE2BIG);
    CHECK(full.count == 0);
}

TEST_CASE("per-CPU hash lookup batch: each value is every CPU's, 8-byte aligned") {
    MapSpec s = spec(MapType::PercpuHash, 4, 4, 4);
    s.ncpus = 2;
    auto p = make(s);
    REQUIRE(p->update_user(bytes(uint32_t(1)), concat({bytes(uint64_t(3)), bytes(uint64_t(0))})) == 0);
    BatchResult r = map_lookup_batch(*p, req(4), false);
    CHECK(r.ret == -e::kENOENT);
    CHECK(r.count == 1);
    REQUIRE(r.values.size() == 16);
    CHECK(u32s(r.values) == std::vector<uint32_t>{3, 0, 0, 0});
}

}  // namespace
}  // namespace bpfplay
