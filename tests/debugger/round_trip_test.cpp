// Reverse execution is exact: for every example case, the state after k instructions is the
// same whether reached going forward, by stepping back from the end, or by going forward again.
#include <doctest/doctest.h>

#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

TEST_CASE("every example: step back N then forward N gives identical states at every step") {
    const examples::CaseFiles files = examples::load_case_files();
    REQUIRE(files.errors.empty());
    REQUIRE(files.cases.size() >= 50);
    size_t sessions = 0;
    for (const examples::ExampleCase& c : files.cases) {
        CAPTURE(c.label());
        Debugged d = open_case(c);
        REQUIRE_MESSAGE(d.session, d.error);
        DebugSession& s = *d.session;
        std::vector<std::string> forward{fingerprint(s)};
        while (s.status() == RunStatus::Ready) {
            const StopInfo stop = s.step();
            REQUIRE(stop.steps == 1);
            forward.push_back(fingerprint(s));
        }
        CHECK(s.status() == RunStatus::Exited);
        const uint64_t n = s.executed();
        REQUIRE(forward.size() == n + 1);
        // All the way back, one instruction at a time.
        for (uint64_t k = n; k-- > 0;) {
            const StopInfo back = s.step_back();
            REQUIRE(back.steps == 1);
            REQUIRE(s.executed() == k);
            REQUIRE_MESSAGE(fingerprint(s) == forward[k], "after stepping back to instruction " << k);
        }
        CHECK(s.step_back().reason == StopReason::HistoryStart);
        // Forward again: the same states.
        for (uint64_t k = 1; k <= n; ++k) {
            s.step();
            REQUIRE_MESSAGE(fingerprint(s) == forward[k], "after stepping forward again to " << k);
        }
        // Jumps in both directions land on the recorded states.
        for (uint64_t k : {n / 2, uint64_t(0), n, n / 3}) {
            s.goto_count(k);
            REQUIRE_MESSAGE(fingerprint(s) == forward[k], "after goto " << k);
        }
        ++sessions;
    }
    CHECK(sessions == files.cases.size());
}

TEST_CASE("stepping back from a budget fault and from the end of the journal") {
    Debugged d = open_case(find_case("xdp_drop_port/tcp4_to_blocked_port"), 5);
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    const std::string start = fingerprint(s);
    StopInfo stop = s.cont();
    CHECK(stop.reason == StopReason::Faulted);
    CHECK(s.vm().fault()->kind == ErrorKind::Budget);
    CHECK(s.executed() == 5);
    // The budget fault executed nothing: the first step back only clears it.
    stop = s.step_back();
    CHECK(s.status() == RunStatus::Ready);
    CHECK(s.executed() == 5);
    stop = s.reverse_cont();
    CHECK(stop.reason == StopReason::HistoryStart);
    CHECK(stop.steps == 5);
    CHECK(fingerprint(s) == start);
}

}  // namespace bpfplay::testing
