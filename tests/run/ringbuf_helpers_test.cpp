// The ring buffer helpers' reservations, as the kernel's __bpf_ringbuf_reserve and
// bpf_ringbuf_commit make them (checked against Linux 6.18: a 0-byte record is a record, a
// record that would end at the end of an empty 4096-byte buffer is refused, and submit ignores
// flags beyond the wakeup bits).
#include <doctest/doctest.h>

#include "core/maps/ringbuf_map.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

std::vector<std::vector<uint8_t>> records(ObjectSession& s) {
    return static_cast<RingbufMap*>(s.object().maps->find("rb"))->submitted();
}

// r0 = 1 when bpf_ringbuf_reserve(rb, size, 0) gave a record (then submitted with `flags`), else 0.
std::string reserve_and_submit(uint32_t size, uint32_t flags = 0) {
    return "r1 = {rb} ll\n"
           "r2 = " +
           std::to_string(size) +
           "\n"
           "r3 = 0\n"
           "call 131\n"
           "if r0 == 0 goto out\n"
           "r1 = r0\n"
           "r2 = " +
           std::to_string(flags) +
           "\n"
           "call 132\n"
           "r0 = 1\n"
           "out:\n"
           "exit\n";
}

TEST_CASE("bpf_ringbuf_reserve of 0 bytes gives a record, which user space reads as an empty record") {
    auto s = open_asm(reserve_and_submit(0), {ringbuf_spec("rb")});
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 0x1);
    CHECK(records(*s) == std::vector<std::vector<uint8_t>>{{}});
    CHECK(static_cast<RingbufMap*>(s->object().maps->find("rb"))->bytes_in_use() == 8);
}

TEST_CASE("a record that would fill an empty ring buffer to its end is refused, one 8 bytes smaller is not") {
    // The kernel fails a reservation when new_prod_pos - cons_pos > size - 1.
    auto full = open_asm(reserve_and_submit(4096 - 8), {ringbuf_spec("rb")});
    CHECK(run_asm(*full).r0 == 0x0);
    CHECK(records(*full).empty());
    auto fits = open_asm(reserve_and_submit(4096 - 16), {ringbuf_spec("rb")});
    CHECK(run_asm(*fits).r0 == 0x1);
    REQUIRE(records(*fits).size() == 1);
    CHECK(records(*fits)[0].size() == 4080);
}

TEST_CASE("bpf_ringbuf_submit ignores flags other than the wakeup bits") {
    auto s = open_asm(reserve_and_submit(4, 0x84), {ringbuf_spec("rb")});
    const RunResult r = run_asm(*s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0x1);
    CHECK(records(*s) == std::vector<std::vector<uint8_t>>{{0, 0, 0, 0}});
}

} // namespace
} // namespace bpfplay::testing
