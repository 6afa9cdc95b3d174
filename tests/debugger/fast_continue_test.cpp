// The fast continue (DebugSession::cont_fast): the rest of a run unrecorded through the fast
// run must end in exactly the state a recorded continue ends in -- registers, stacks, packet,
// every map, printk, perf samples, the host's events, the instruction count -- for every
// example case, from the start and from the middle of a run. In the wasm build the modules run
// in node's WebAssembly runtime; natively the engine hands back at once, so the interpreter
// runs it all through FastRunner's switching (fastrun/hand_back_engine.hpp).
#include <doctest/doctest.h>

#include "core/fastrun/fast_run.hpp"
#include "debugger/debug_fixture.hpp"
#include "fastrun/hand_back_engine.hpp"

namespace bpfplay::testing {

namespace {
uint64_t g_fast_continue_modules = 0;

std::unique_ptr<FastEngine> fast_continue_engine(const FastModule& m) {
    ++g_fast_continue_modules;
#ifdef __EMSCRIPTEN__
    return make_wasm_engine(m);
#else
    return std::make_unique<fastrun_test::HandBackEngine>(m);
#endif
}

// A debug session of the case whose object session runs fast continues through the fast run.
Debugged open_fast_case(const examples::ExampleCase& c, uint64_t budget = kDefaultBudget) {
    Debugged d = open_case(c, budget);
    if (d.object) d.object->set_fast_run(fast_continue_engine);
    return d;
}
}  // namespace

TEST_CASE("every example: a fast continue ends where a recorded continue ends, from the start and from midway") {
    const examples::CaseFiles files = examples::load_case_files();
    REQUIRE(files.errors.empty());
    REQUIRE(files.cases.size() >= 50);
    uint64_t fast_insns = 0, midway_runs = 0;
    for (const examples::ExampleCase& c : files.cases) {
        CAPTURE(c.label());
        Debugged recorded = open_case(c);
        REQUIRE_MESSAGE(recorded.session, recorded.error);
        const StopInfo a = recorded.session->cont();
        Debugged fast = open_fast_case(c);
        REQUIRE_MESSAGE(fast.session, fast.error);
        const StopInfo b = fast.session->cont_fast();
        CHECK(b.fast);
        CHECK(b.reason == a.reason);
        CHECK(b.steps == a.steps);
        CHECK(b.steps == recorded.session->executed());
        CHECK(fast.session->vm().result() == recorded.session->vm().result());
        CHECK(fingerprint(*fast.session) == fingerprint(*recorded.session));
        CHECK(fast.session->state().stop_reason == recorded.session->state().stop_reason);
        fast_insns += b.fast_insns;

        // From the middle: half the run stepped (recorded), the rest fast.
        const uint64_t n = recorded.session->executed();
        if (n < 2) continue;
        Debugged mid = open_fast_case(c);
        REQUIRE_MESSAGE(mid.session, mid.error);
        mid.session->goto_count(n / 2);
        REQUIRE(mid.session->executed() == n / 2);
        const StopInfo m = mid.session->cont_fast();
        CHECK(m.steps == n - n / 2);
        CHECK(fingerprint(*mid.session) == fingerprint(*recorded.session));
        ++midway_runs;

        // In slices, as the page's worker runs it so that Stop is read between them: each slice
        // pauses after exactly its count (inside a module's block too), and the last one ends
        // where the recorded continue ended. 7 does not divide the loops' block lengths.
        Debugged sliced = open_fast_case(c);
        REQUIRE_MESSAGE(sliced.session, sliced.error);
        const uint64_t slice = n < 1000 ? 7 : n / 13 + 1;
        uint64_t ran = 0, slices = 0;
        for (;;) {
            const StopInfo s = sliced.session->cont_fast(slice);
            ran += s.steps;
            ++slices;
            if (s.reason != StopReason::Paused) {
                CHECK(s.reason == a.reason);
                CHECK(s.steps <= slice);
                break;
            }
            CHECK(s.steps == slice);
            REQUIRE(slices <= n / slice + 1);
        }
        CHECK(ran == n);
        CHECK(sliced.session->vm().result() == recorded.session->vm().result());
        CHECK(fingerprint(*sliced.session) == fingerprint(*recorded.session));
    }
    MESSAGE(files.cases.size() << " cases, " << midway_runs << " also from midway; " << g_fast_continue_modules
                               << " programs translated, " << fast_insns << " instructions run as WebAssembly");
    CHECK(midway_runs >= 50);
    CHECK(g_fast_continue_modules >= 50);
#ifdef __EMSCRIPTEN__
    CHECK(fast_insns > 0);
#else
    CHECK(fast_insns == 0);  // no WebAssembly runtime natively: the interpreter ran every one
#endif
}

TEST_CASE("fast continue: r0, maps, printk and count of a bpf_loop example equal the recorded run's") {
    // Named so a failure says which values moved, not just that a fingerprint did.
    const examples::ExampleCase& c = find_case("xdp_callbacks/one_packet");
    Debugged recorded = open_case(c);
    Debugged fast = open_fast_case(c);
    REQUIRE_MESSAGE(recorded.session, recorded.error);
    REQUIRE_MESSAGE(fast.session, fast.error);
    recorded.session->cont();
    const StopInfo stop = fast.session->cont_fast();
    CHECK(stop.reason == StopReason::Exited);
    CHECK(fast.session->status() == RunStatus::Exited);
    const DebugState rs = recorded.session->state(), fs = fast.session->state();
    CHECK(fs.r0 == 2);  // XDP_PASS, as the kernel returned for this case
    CHECK(fs.r0 == rs.r0);
    CHECK(fs.return_name == rs.return_name);
    CHECK(fs.executed == rs.executed);
    CHECK(fs.printk == rs.printk);
    REQUIRE(fs.maps.size() == rs.maps.size());
    for (size_t i = 0; i < fs.maps.size(); ++i) {
        CHECK(fs.maps[i].name == rs.maps[i].name);
        CHECK(fs.maps[i].count == rs.maps[i].count);
    }
}

TEST_CASE("fast continue forgets the history: stepping back stops where it ended; reset still starts over") {
    Debugged d = open_fast_case(find_case("xdp_drop_port/tcp4_to_blocked_port"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    const std::string start = fingerprint(s);
    s.step();
    s.step();
    CHECK(s.history_start() == 0);
    const StopInfo stop = s.cont_fast();
    CHECK(stop.reason == StopReason::Exited);
    const uint64_t end = s.executed();
    CHECK(stop.steps == end - 2);
    CHECK(s.history_start() == end);
    CHECK(s.journal().steps() == 0);
    const std::string at_end = fingerprint(s);
    const StopInfo back = s.step_back();
    CHECK(back.reason == StopReason::HistoryStart);
    CHECK(back.steps == 0);
    CHECK(fingerprint(s) == at_end);
    // Nothing left to run: a second fast continue says so and runs nothing.
    const StopInfo again = s.cont_fast();
    CHECK(again.reason == StopReason::Exited);
    CHECK(again.steps == 0);
    CHECK_FALSE(again.fast);
    s.reset();
    CHECK(fingerprint(s) == start);
    // The reset run records again.
    s.step();
    CHECK(s.step_back().steps == 1);
}

TEST_CASE("fast continue runs past breakpoints and watchpoints, which a recorded continue stops at") {
    const examples::ExampleCase& c = find_case("xdp_drop_port/tcp4_to_blocked_port");
    Debugged d = open_fast_case(c);
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    REQUIRE(s.add_breakpoint(1).ok());
    REQUIRE(s.add_stack_watch(-8, 8).ok());
    const StopInfo stop = s.cont_fast();
    CHECK(stop.reason == StopReason::Exited);
    CHECK(s.breakpoints()[0].hits == 0);
    Debugged recorded = open_case(c);
    REQUIRE_MESSAGE(recorded.session, recorded.error);
    recorded.session->cont();
    CHECK(fingerprint(s) == fingerprint(*recorded.session));
}

TEST_CASE("fast continue out of budget faults as the recorded continue does") {
    const examples::ExampleCase& c = find_case("xdp_drop_port/tcp4_to_blocked_port");
    Debugged recorded = open_case(c, 5);
    Debugged fast = open_fast_case(c, 5);
    REQUIRE_MESSAGE(recorded.session, recorded.error);
    REQUIRE_MESSAGE(fast.session, fast.error);
    recorded.session->cont();
    const StopInfo stop = fast.session->cont_fast();
    CHECK(stop.reason == StopReason::Faulted);
    CHECK(stop.steps == 5);
    REQUIRE(fast.session->vm().fault());
    CHECK(fast.session->vm().fault()->kind == ErrorKind::Budget);
    CHECK(fast.session->vm().fault()->what == recorded.session->vm().fault()->what);
    CHECK(fingerprint(*fast.session) == fingerprint(*recorded.session));
}

}  // namespace bpfplay::testing
