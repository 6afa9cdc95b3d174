// Stepping through callbacks (xdp_callbacks.c, one UDP packet): bpf_for_each_map_elem and
// bpf_loop run each call of their callback as a frame of its own, which step enters, step
// out leaves (the helper then returns the call count), and step back re-enters exactly.
// Instruction numbers are the linked program's: xdp_callbacks is 0-132, then visit_flow
// (133-148) and read_byte (149-169).
//   50: call 164 (bpf_for_each_map_elem)   100: call 181 (bpf_loop)
#include <doctest/doctest.h>

#include <cstring>

#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

TEST_CASE("step into a bpf_for_each_map_elem callback, out of it, and back in") {
    Debugged d = open_case(find_case("xdp_callbacks/one_packet"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    REQUIRE(s.add_breakpoint(50).ok());
    REQUIRE(s.cont().reason == StopReason::Breakpoint);
    const std::string at_call = fingerprint(s);

    // step: the helper runs and the first call of the callback begins, one frame deeper.
    s.step();
    CHECK(s.pc() == 133);
    CHECK(s.vm().depth() == 1);
    DebugState st = s.state();
    REQUIRE(st.frames.size() == 2);
    CHECK(st.frames[0].pc == 50);
    CHECK(st.frames[1].function == "visit_flow");
    CHECK(st.frames[1].callback == "bpf_for_each_map_elem: element 1 of 1");
    CHECK(st.frames[0].callback.empty());
    // r2: the key (the source address 10.0.0.1), in the read-only key window.
    CHECK(s.vm().reg(2) == Vm::callback_key_address(1));
    uint64_t key = 0;
    REQUIRE(s.vm().memory().read_ptr(s.vm().reg(2), 4));
    std::memcpy(&key, s.vm().memory().read_ptr(s.vm().reg(2), 4), 4);
    CHECK(key == 0x0100000a);
    CHECK(s.vm().reg(4) == Vm::frame_pointer(0) - 48);  // &w

    // step out: back after the call, r0 = 1 element visited.
    s.step_out();
    CHECK(s.pc() == 51);
    CHECK(s.vm().depth() == 0);
    CHECK(s.vm().reg(0) == 1);

    // step back: into the callback's exit, then all the way to the call.
    s.step_back();
    REQUIRE(s.vm().depth() == 1);
    CHECK(s.pc() == 148);
    CHECK(s.state().frames[1].callback == "bpf_for_each_map_elem: element 1 of 1");
    while (s.pc() != 50 || s.vm().depth() != 0) REQUIRE(s.step_back().steps == 1);
    CHECK(fingerprint(s) == at_call);
}

TEST_CASE("step over bpf_loop runs every call; the frames name the iteration") {
    Debugged d = open_case(find_case("xdp_callbacks/one_packet"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    REQUIRE(s.add_breakpoint(100).ok());
    REQUIRE(s.cont().reason == StopReason::Breakpoint);
    StopInfo over = s.step_over();
    CHECK(s.pc() == 101);
    CHECK(s.vm().reg(0) == 16);  // 16 calls
    CHECK(over.steps > 16 * 10);

    // Back into the last call: index 15.
    s.step_back();
    REQUIRE(s.vm().depth() == 1);
    DebugState st = s.state();
    REQUIRE(st.frames.size() == 2);
    CHECK(st.frames[1].function == "read_byte");
    CHECK(st.frames[1].callback == "bpf_loop: index 15 (call 16 of 16)");
}

}  // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("a due timer's callback is debugged like a run, and stepping back over it is exact") {
    Debugged d = open_case(find_case("xdp_timer/one_packet"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    CHECK(DebugSession::open_next_timer(*d.object).ok() == false);  // nothing armed yet
    REQUIRE(s.cont().reason == StopReason::Exited);
    DebugState st = s.state();
    REQUIRE(st.timers.size() == 1);
    CHECK(st.timers[0].map == "timers");
    CHECK(st.timers[0].armed);
    CHECK(st.timers[0].callback == 44);
    // The debugger ran the program without finishing it (the clock did not move on): the timer
    // armed "now" is due at the run's start time plus the instructions before bpf_timer_start,
    // so it is not due yet; the next timer's session moves the clock there.
    CHECK_FALSE(st.timers[0].due);
    const uint64_t expires = st.timers[0].expires_ns;
    auto t = DebugSession::open_next_timer(*d.object);
    REQUIRE_MESSAGE(t.ok(), (t.ok() ? std::string() : t.error().to_string()));
    DebugSession& cb = *t.value();
    CHECK(cb.pc() == 44);
    CHECK(cb.timer() == "timer callback at insn 44 (array map \"timers\")");
    CHECK(cb.state().timer == cb.timer());
    CHECK(d.object->host().clock_start_ns == expires);
    std::vector<std::string> forward = fingerprints_to_end(cb);
    CHECK(cb.status() == RunStatus::Exited);
    CHECK(cb.state().return_name.empty());
    CHECK(cb.vm().reg(0) == 0);
    require_same_states_back(cb, forward);
    // Fired: disarmed, and no other timer is due.
    CHECK_FALSE(cb.state().timers[0].armed);
    CHECK(DebugSession::open_next_timer(*d.object).ok() == false);
}

}  // namespace bpfplay::testing
