// bpf_perf_event_output under the debugger: the sample appears in the state (and its JSON)
// after the call, and stepping back over the call takes it back.
#include <doctest/doctest.h>

#include "core/debugger/debug_json.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

// examples/cases/xdp_perf_event.json, case tcp: the sample the kernel's reader got.
constexpr const char* kTcpSample = "36000000010000000008100002000000000202000000000108004500";
constexpr uint32_t kCallPc = 30;

void run_to(DebugSession& s, uint32_t pc) {
    while (s.status() == RunStatus::Ready && s.vm().pc() != pc)
        REQUIRE(s.step().steps == 1);
    REQUIRE(s.vm().pc() == pc);
}

} // namespace

TEST_CASE("a perf event sample shows in the state after the call and goes away when stepping back") {
    Debugged d = open_case(find_case("xdp_perf_event/tcp"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    run_to(s, kCallPc);
    CHECK(s.state().perf_events.empty());
    CHECK(debug_state_json(s.state()).find("\"perf_events\":[]") != std::string::npos);

    s.step(); // the call
    const DebugState after = s.state();
    REQUIRE(after.perf_events.size() == 1);
    CHECK(after.perf_events[0].map == "events");
    CHECK(after.perf_events[0].cpu == 0);
    CHECK(examples::hex(after.perf_events[0].data) == kTcpSample);
    CHECK(after.perf_events[0].executed == 29);
    CHECK(after.perf_events[0].pc == kCallPc);
    CHECK(debug_state_json(after).find(
              std::string("\"perf_events\":[{\"map\":\"events\",\"cpu\":0,\"data\":\"") + kTcpSample +
              "\",\"executed\":29,\"pc\":30}]") != std::string::npos);
    CHECK(after.regs[0].value == 0);

    REQUIRE(s.step_back().steps == 1);
    CHECK(s.vm().pc() == kCallPc);
    CHECK(s.state().perf_events.empty());
    CHECK(s.object().host().perf_events.empty());

    s.step(); // and again: the same sample, once
    REQUIRE(s.state().perf_events.size() == 1);
    CHECK(examples::hex(s.state().perf_events[0].data) == kTcpSample);
}

TEST_CASE("without a reader the call returns -ENOENT, adds no sample, and steps back cleanly") {
    Debugged d = open_case(find_case("xdp_perf_event/no_readers"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    run_to(s, kCallPc);
    const std::string before = fingerprint(s);
    s.step();
    CHECK(s.vm().reg(0) == uint64_t(-2));
    CHECK(s.state().perf_events.empty());
    s.step_back();
    CHECK(fingerprint(s) == before);
}

} // namespace bpfplay::testing
