// USER_RINGBUF: the ring buffer's creation rules, records as libbpf's user_ring_buffer writes
// them (header, 8-byte rounding, -E2BIG/-ENOSPC), the consumer's peek that skips discarded
// records, a record wrapping past the end read whole, and the -ENOTSUPP map operations.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/map_set.hpp"
#include "core/maps/user_ringbuf_map.hpp"

namespace bpfplay {
namespace {

MapSpec ub_spec(uint32_t size = 4096) {
    MapSpec s;
    s.type = MapType::UserRingbuf;
    s.name = "ub";
    s.max_entries = size;
    return s;
}

int64_t create_code(const MapSpec& s) {
    const auto problem = check_map_spec(s);
    return problem ? problem->code : 0;
}

} // namespace

TEST_CASE("user_ringbuf: created as a ring buffer is") {
    CHECK(create_code(ub_spec()) == 0);
    CHECK(create_code(ub_spec(8192)) == 0);
    CHECK(create_code(ub_spec(6144)) == -22);  // not a power of 2
    CHECK(create_code(ub_spec(2048)) == -22);  // not a multiple of a page
    MapSpec s = ub_spec();
    s.value_size = 4;
    CHECK(create_code(s) == -22);
    s = ub_spec();
    s.map_flags = map_flag::kNoPrealloc;
    CHECK(create_code(s) == -22);
    s.map_flags = map_flag::kNumaNode;
    CHECK(create_code(s) == 0);
}

TEST_CASE("user_ringbuf: records in, peeked and released in order, discarded ones skipped") {
    MapSet set;
    auto id = set.create(ub_spec());
    REQUIRE(id.ok());
    auto& m = static_cast<UserRingbufMap&>(*set.get(id.value()));
    const uint8_t a[5] = {1, 2, 3, 4, 5}, b[3] = {7, 8, 9};
    CHECK(m.peek().kind == UserRingbufMap::Peek::Empty);
    REQUIRE(m.produce(a) == 0);
    REQUIRE(m.produce(b, /*discard=*/true) == 0);
    REQUIRE(m.produce(std::span<const uint8_t>()) == 0);  // an empty record is one too
    CHECK(m.producer_pos() == 16 + 16 + 8);
    CHECK(m.count() == 2);
    CHECK(m.summary() == "2 records waiting (40 of 4096 bytes), consumer at 0, producer at 40");
    UserRingbufMap::PeekResult p = m.peek();
    REQUIRE(p.kind == UserRingbufMap::Peek::Sample);
    CHECK(p.size == 5);
    CHECK(p.data_addr == m.value_address(0) + 8);
    CHECK(m.value_region()[8] == 1);
    CHECK(m.peek().data_addr == p.data_addr);  // a peek alone does not consume
    m.release(p.size);
    CHECK(m.consumer_pos() == 16);
    CHECK(m.peek().kind == UserRingbufMap::Peek::Discarded);
    CHECK(m.consumer_pos() == 32);  // the discarded record is consumed by the peek
    p = m.peek();
    REQUIRE(p.kind == UserRingbufMap::Peek::Sample);
    CHECK(p.size == 0);
    m.release(0);
    CHECK(m.peek().kind == UserRingbufMap::Peek::Empty);
    CHECK(m.count() == 0);
    // The map operations are not the ring's.
    std::vector<uint8_t> none;
    CHECK(m.lookup_user({}, none) == -524);
    CHECK(m.update_user({}, {}) == -524);
    CHECK(m.delete_user({}) == -524);
    CHECK(m.get_next_key({}, none) == -524);
}

TEST_CASE("user_ringbuf: -E2BIG past the buffer, -ENOSPC when full, a record wrapping the end is whole") {
    MapSet set;
    auto id = set.create(ub_spec());
    REQUIRE(id.ok());
    auto& m = static_cast<UserRingbufMap&>(*set.get(id.value()));
    std::vector<uint8_t> big(4096 - 8, 0xaa);
    CHECK(m.produce(std::vector<uint8_t>(4096 - 7)) == -7);  // header + data > 4096
    REQUIRE(m.produce(big) == 0);                            // exactly the whole buffer
    CHECK(m.produce(std::vector<uint8_t>(1)) == -28);
    m.release(uint32_t(big.size()));
    std::vector<uint8_t> first(4000, 1);
    REQUIRE(m.produce(first) == 0);  // 4008 bytes: consumer 4096, producer 8104
    std::vector<uint8_t> rec(100);
    for (size_t i = 0; i < rec.size(); ++i) rec[i] = uint8_t(i);
    CHECK(m.produce(rec) == -28);  // 4008 + 112 > 4096
    m.release(4000);
    REQUIRE(m.produce(rec) == 0);  // at 8104: header at 4008, data 4016..4115 wraps past 4096
    const UserRingbufMap::PeekResult p = m.peek();
    REQUIRE(p.kind == UserRingbufMap::Peek::Sample);
    CHECK(p.size == 100);
    const uint64_t off = p.data_addr - m.value_address(0);
    CHECK(off == 4016);
    CHECK(std::memcmp(m.value_region().data() + off, rec.data(), rec.size()) == 0);
    CHECK(m.pending() == std::vector<std::vector<uint8_t>>{rec});
    // The whole state comes back.
    std::vector<uint8_t> before;
    m.save_state(before);
    m.release(100);
    m.restore_state(before);
    CHECK(m.consumer_pos() == 8104);
    CHECK(m.count() == 1);
}

} // namespace bpfplay
