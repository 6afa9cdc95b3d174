// Reverse execution is exact: for every example case, the state after k instructions is the
// same whether reached going forward, by stepping back from the end, or by going forward again.
#include <doctest/doctest.h>

#include <functional>
#include <map>

#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {
// A state's fingerprint names every map byte: kfunc_strings' 64 KiB map over its 50,000 steps
// would not fit a wasm heap (nor CI's minutes), so states are kept as hashes, of every step of
// the first 4096 and of every 64th after that (each step is still taken, back and forth).
size_t state_hash(DebugSession& s) { return std::hash<std::string>{}(fingerprint(s)); }
bool sampled(uint64_t k) { return k < 4096 || k % 64 == 0; }
uint64_t sample_at_or_below(uint64_t k) { return sampled(k) ? k : k - k % 64; }
}  // namespace

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
        std::map<uint64_t, size_t> forward{{0, state_hash(s)}};
        while (s.status() == RunStatus::Ready) {
            const StopInfo stop = s.step();
            REQUIRE(stop.steps == 1);
            if (sampled(s.executed())) forward[s.executed()] = state_hash(s);
        }
        CHECK(s.status() == RunStatus::Exited);
        const uint64_t n = s.executed();
        forward[n] = state_hash(s);
        // All the way back, one instruction at a time.
        for (uint64_t k = n; k-- > 0;) {
            const StopInfo back = s.step_back();
            REQUIRE(back.steps == 1);
            REQUIRE(s.executed() == k);
            if (sampled(k)) REQUIRE_MESSAGE(state_hash(s) == forward.at(k), "after stepping back to instruction " << k);
        }
        CHECK(s.step_back().reason == StopReason::HistoryStart);
        // Forward again: the same states.
        for (uint64_t k = 1; k <= n; ++k) {
            s.step();
            if (forward.count(k)) REQUIRE_MESSAGE(state_hash(s) == forward.at(k), "after stepping forward again to " << k);
        }
        // Jumps in both directions land on the recorded states.
        for (uint64_t k : {sample_at_or_below(n / 2), uint64_t(0), n, sample_at_or_below(n / 3)}) {
            s.goto_count(k);
            REQUIRE_MESSAGE(state_hash(s) == forward.at(k), "after goto " << k);
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

TEST_CASE("stepping over a tail call made from a subprogram and back restores every state") {
    Debugged d = open_case(find_case("xdp_subprog_tail_call/tcp"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    std::vector<std::string> forward{fingerprint(s)};
    // Forward to the tail call in classify() (frame 1 of xdp_classify).
    while (s.program().name == "xdp_classify") {
        REQUIRE(s.status() == RunStatus::Ready);
        s.step();
        forward.push_back(fingerprint(s));
    }
    // handle_tcp runs in classify's frame; below it, xdp_classify waits at its call.
    CHECK(s.program().name == "handle_tcp");
    CHECK(s.vm().pc() == 0u);
    CHECK(s.vm().depth() == 1u);
    CHECK(s.vm().frame_base() == 1u);
    DebugState st = s.state();
    REQUIRE(st.frames.size() == 2u);
    CHECK(st.frames[0].function == "xdp_classify");
    CHECK(st.frames[0].pc == 12u);  // verdict = classify(ctx, ip->protocol);
    CHECK(st.frames[0].source.line == 117u);
    CHECK(st.frames[1].function == "handle_tcp");
    CHECK(st.frames[1].frame_pointer == Vm::frame_pointer(1));
    // Forward until handle_tcp's exit has returned into xdp_classify.
    while (s.program().name == "handle_tcp") {
        s.step();
        forward.push_back(fingerprint(s));
    }
    CHECK(s.program().name == "xdp_classify");
    CHECK(s.vm().pc() == 13u);  // the instruction after the call, storing the verdict
    CHECK(s.vm().depth() == 0u);
    CHECK(s.vm().frame_base() == 0u);
    CHECK(s.vm().reg(0) == 2u);  // handle_tcp's XDP_PASS
    // And back, one instruction at a time, over the return and the tail call.
    require_same_states_back(s, forward);
    CHECK(s.executed() == 0u);
    CHECK(s.program().name == "xdp_classify");
}

}  // namespace bpfplay::testing
