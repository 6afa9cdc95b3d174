// Stepping back over the dynptr helpers restores the dynptr's stack bytes, the memory they
// wrote, the ring buffer's records and the run's dynptr table, byte for byte; and a run that
// faults at its exit for a leaked reservation steps back like any fault.
#include <doctest/doctest.h>

#include "core/maps/ringbuf_map.hpp"
#include "debugger/debug_fixture.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {

namespace {

// A local dynptr over buf (written, read, sliced), then a ring buffer record reserved, written,
// submitted, and one reserved and discarded.
const char* kProgram = R"(
    r1 = {buf.value} ll
    r2 = 16
    r3 = 0
    r4 = r10
    r4 += -16
    call bpf_dynptr_from_mem
    r1 = 0x1122334455667788 ll
    *(u64 *)(r10 - 40) = r1
    r1 = r10
    r1 += -16
    r2 = 4
    r3 = r10
    r3 += -40
    r4 = 8
    r5 = 0
    call bpf_dynptr_write
    r1 = r10
    r1 += -48
    r2 = 4
    r3 = r10
    r3 += -16
    r4 = 6
    r5 = 0
    call bpf_dynptr_read
    r1 = {rb} ll
    r2 = 12
    r3 = 0
    r4 = r10
    r4 += -32
    call bpf_ringbuf_reserve_dynptr
    r1 = r10
    r1 += -32
    r2 = 2
    r3 = r10
    r3 += -40
    r4 = 8
    r5 = 0
    call bpf_dynptr_write
    r1 = r10
    r1 += -32
    r2 = 0
    call bpf_ringbuf_submit_dynptr
    r1 = {rb} ll
    r2 = 4
    r3 = 0
    r4 = r10
    r4 += -32
    call bpf_ringbuf_reserve_dynptr
    r1 = r10
    r1 += -32
    r2 = 0
    call bpf_ringbuf_discard_dynptr
    r0 = 2
    exit
)";

std::unique_ptr<DebugSession> debug(ObjectSession& o) {
    RunInput in;
    in.packet.assign(64, 0);
    auto d = DebugSession::open(o, "asm", in);
    REQUIRE(d.ok());
    return std::move(d).value();
}

} // namespace

TEST_CASE("stepping back over the dynptr helpers restores stack, memory, ring buffer and dynptr table") {
    auto o = open_asm(kProgram, {ringbuf_spec("rb"), array_spec("buf", 16)});
    auto s = debug(*o);
    const std::vector<std::string> forward = fingerprints_to_end(*s);
    REQUIRE_MESSAGE(s->status() == RunStatus::Exited, (s->vm().fault() ? s->vm().fault()->what : ""));
    auto& rb = *static_cast<RingbufMap*>(o->object().maps->find("rb"));
    CHECK(rb.submitted() ==
          std::vector<std::vector<uint8_t>>{{0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0, 0}});
    CHECK(rb.bytes_in_use() == 40);             // 8 + 12 rounded to 24, 8 + 4 to 16
    CHECK(o->host().dynptrs.slots.size() == 1); // the local one; the ring buffer ones were released
    require_same_states_back(*s, forward);
    CHECK(rb.submitted().empty());
    CHECK(rb.bytes_in_use() == 0);
    CHECK(o->host().dynptrs.slots.empty());
    // Forward again: the same states.
    for (size_t k = 1; k < forward.size(); ++k) {
        s->step();
        REQUIRE_MESSAGE(fingerprint(*s) == forward[k], "forward again at " << k);
    }
}

TEST_CASE("a run that faults at its exit for a leaked ring buffer dynptr steps back from the fault") {
    auto o = open_asm("r1 = {rb} ll\nr2 = 8\nr3 = 0\nr4 = r10\nr4 += -16\ncall bpf_ringbuf_reserve_dynptr\n"
                      "r0 = 2\nexit\n",
                      {ringbuf_spec("rb")});
    auto s = debug(*o);
    const std::vector<std::string> forward = fingerprints_to_end(*s);
    REQUIRE(s->status() == RunStatus::Faulted);
    CHECK(s->vm().fault()->kind == ErrorKind::Verify);
    CHECK(s->vm().pc() == 8u);
    CHECK(s->executed() == 7);
    // The fault is the last state; one step back clears it and stands before the exit again.
    s->step_back();
    CHECK(s->status() == RunStatus::Ready);
    CHECK(fingerprint(*s) == forward[forward.size() - 2]);
    CHECK(s->vm().pc() == 8u);
    require_same_states_back(*s, std::vector<std::string>(forward.begin(), forward.end() - 1));
    CHECK(o->host().dynptrs.slots.empty());
    CHECK(s->cont().reason == StopReason::Faulted);
    CHECK(fingerprint(*s) == forward.back());
}

} // namespace bpfplay::testing
