// bpf_user_ringbuf_drain (209) from assembled programs: one callback frame per record with a
// dynptr over it, discarded records skipped, the callback's 1 stopping after its record, the
// flags' -EINVAL and the verifier's refusals (kernel/bpf/ringbuf.c, Linux 6.18).
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/user_ringbuf_map.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

MapSpec ub_spec() {
    MapSpec s;
    s.type = MapType::UserRingbuf;
    s.name = "ub";
    s.max_entries = 4096;
    return s;
}

// Sums each record's first u32 into a u64 on the caller's stack (the ctx); a record too short
// for it adds nothing; the callback returns 1 after a record holding 99. r0 = drain's result |
// sum << 16.
std::string drain_program(const std::string& flags = "0", const std::string& map = "{ub}") {
    return "r1 = 0\n"
           "*(u64 *)(r10 - 8) = r1\n"
           "r1 = " + map + " ll\n"
           "r2 = func(+9) ll\n"
           "r3 = r10\n"
           "r3 += -8\n"
           "r4 = " + flags + "\n"
           "call 209\n"
           "r1 = *(u64 *)(r10 - 8)\n"
           "r1 <<= 16\n"
           "r0 |= r1\n"
           "exit\n"
           // the callback (insn 14): r1 = the record's dynptr, r2 = ctx
           "r7 = r1\n"
           "r6 = r2\n"
           "r1 = r10\n"
           "r1 += -8\n"
           "r2 = 4\n"
           "r3 = r7\n"
           "r4 = 0\n"
           "r5 = 0\n"
           "call 201\n"
           "if r0 != 0 goto skip\n"
           "r1 = *(u32 *)(r10 - 8)\n"
           "r2 = *(u64 *)(r6 + 0)\n"
           "r2 += r1\n"
           "*(u64 *)(r6 + 0) = r2\n"
           "r0 = 0\n"
           "if r1 != 99 goto done\n"
           "r0 = 1\n"
           "done:\n"
           "exit\n"
           "skip:\n"
           "r0 = 0\n"
           "exit\n";
}

std::vector<uint8_t> u32(uint32_t v) {
    std::vector<uint8_t> b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
}

UserRingbufMap& ring(ObjectSession& s) { return static_cast<UserRingbufMap&>(*s.object().maps->find("ub")); }

int64_t r0_of(ObjectSession& s) {
    const RunResult r = run_asm(s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return int64_t(r.r0);
}

} // namespace

TEST_CASE("bpf_user_ringbuf_drain: one call per record, discarded ones skipped, 0 when empty") {
    auto s = open_asm(drain_program(), {ub_spec()});
    CHECK(r0_of(*s) == 0);
    REQUIRE(ring(*s).produce(u32(5)) == 0);
    REQUIRE(ring(*s).produce(u32(1000), /*discard=*/true) == 0);
    REQUIRE(ring(*s).produce(std::vector<uint8_t>{1, 2}) == 0);  // too short: bpf_dynptr_read -E2BIG
    REQUIRE(ring(*s).produce(u32(7)) == 0);
    CHECK(r0_of(*s) == (3 | (12 << 16)));
    CHECK(ring(*s).count() == 0);
    CHECK(ring(*s).consumer_pos() == ring(*s).producer_pos());
    CHECK(r0_of(*s) == 0);
    // Only discarded records: consumed, none counted.
    REQUIRE(ring(*s).produce(u32(1), true) == 0);
    CHECK(r0_of(*s) == 0);
    CHECK(ring(*s).consumer_pos() == ring(*s).producer_pos());
}

TEST_CASE("bpf_user_ringbuf_drain: a callback returning 1 stops after its record, the rest waits") {
    auto s = open_asm(drain_program(), {ub_spec()});
    for (uint32_t v : {1u, 99u, 5u}) REQUIRE(ring(*s).produce(u32(v)) == 0);
    CHECK(r0_of(*s) == (2 | (100 << 16)));  // the record with 99 is counted and consumed
    CHECK(ring(*s).pending() == std::vector<std::vector<uint8_t>>{u32(5)});
    CHECK(r0_of(*s) == (1 | (5 << 16)));
}

TEST_CASE("bpf_user_ringbuf_drain: wakeup flags accepted, others -EINVAL; other maps refused") {
    auto wake = open_asm(drain_program("3"), {ub_spec()});
    REQUIRE(ring(*wake).produce(u32(4)) == 0);
    CHECK(r0_of(*wake) == (1 | (4 << 16)));
    auto bad = open_asm(drain_program("4"), {ub_spec()});
    REQUIRE(ring(*bad).produce(u32(4)) == 0);
    CHECK(r0_of(*bad) == -22);
    CHECK(ring(*bad).count() == 1);
    auto other = open_asm(drain_program("0", "{arr}"), {array_spec("arr", 8)});
    const RunResult r = run_asm(*other);
    REQUIRE(r.error);
    CHECK(r.error->what.find("not a user_ringbuf map: the kernel's verifier refuses the call") != std::string::npos);
}

TEST_CASE("the drain callback's dynptr: bpf_dynptr_data gives the record's bytes") {
    // r0 = the record's second byte, which the callback reads through bpf_dynptr_data(dynptr, 1, 1).
    auto s = open_asm("r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = {ub} ll\nr2 = func(+7) ll\nr3 = r10\nr3 += -8\n"
                      "r4 = 0\ncall 209\nr0 = *(u64 *)(r10 - 8)\nexit\n"
                      "r6 = r2\nr2 = 1\nr3 = 1\ncall 203\nif r0 == 0 goto out\nr1 = *(u8 *)(r0 + 0)\n"
                      "*(u64 *)(r6 + 0) = r1\nout:\nr0 = 0\nexit\n",
                      {ub_spec()});
    REQUIRE(ring(*s).produce(std::vector<uint8_t>{10, 20, 30}) == 0);
    CHECK(r0_of(*s) == 20);
}

} // namespace bpfplay::testing
