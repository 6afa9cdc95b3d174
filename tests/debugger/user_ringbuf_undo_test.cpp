// Reverse execution over bpf_user_ringbuf_drain: each record handed to the callback moves the
// consumer and places a dynptr; stepping back from the end puts every one back.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/user_ringbuf_map.hpp"
#include "debugger/debug_fixture.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {

TEST_CASE("stepping back over bpf_user_ringbuf_drain restores the consumer and the dynptrs") {
    MapSpec spec;
    spec.type = MapType::UserRingbuf;
    spec.name = "ub";
    spec.max_entries = 4096;
    // The callback adds each record's first byte (bpf_dynptr_read) to the ctx.
    auto object = open_asm("r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = {ub} ll\nr2 = func(+7) ll\nr3 = r10\nr3 += -8\n"
                           "r4 = 0\ncall 209\nr0 = *(u64 *)(r10 - 8)\nexit\n"
                           "r6 = r2\nr3 = r1\nr1 = r10\nr1 += -8\nr2 = 1\nr4 = 0\nr5 = 0\ncall 201\n"
                           "r1 = *(u8 *)(r10 - 8)\nr2 = *(u64 *)(r6 + 0)\nr2 += r1\n*(u64 *)(r6 + 0) = r2\n"
                           "r0 = 0\nexit\n",
                           {spec}, "xdp");
    auto& ring = static_cast<UserRingbufMap&>(*object->object().maps->find("ub"));
    for (uint8_t v : {3, 4, 5}) REQUIRE(ring.produce(std::vector<uint8_t>{v, 0}) == 0);
    REQUIRE(ring.produce(std::vector<uint8_t>{100}, /*discard=*/true) == 0);
    REQUIRE(ring.produce(std::vector<uint8_t>{6}) == 0);
    RunInput in;
    in.packet.assign(64, 0);
    auto s = DebugSession::open(*object, "asm", in);
    REQUIRE(s.ok());
    const std::vector<std::string> forward = fingerprints_to_end(**s);
    CHECK(int64_t((*s)->vm().regs()[0]) == 18);
    CHECK(ring.consumer_pos() == ring.producer_pos());
    require_same_states_back(**s, forward);
    CHECK(ring.consumer_pos() == 0);
    CHECK(ring.count() == 4);
}

} // namespace bpfplay::testing
