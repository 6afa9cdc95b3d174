// A debug run of a program the static checker refuses: the registers the checker inferred
// beside the real ones while the run follows the refused path, and "off the path" once it
// leaves it (core/debugger/checker_path.hpp).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/debugger/debug_json.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/verifier/object_check.hpp"

using namespace bpfplay;

namespace {

struct Refused {
    std::unique_ptr<ObjectSession> object;
    verifier::Verdict verdict;
};

// tests/verifier/corpus/ref_xdp_off_by_one.c: 0: w0 = 1; 1: r2 = data; 2: r2 += 14;
// 3: r1 = data_end; 4: if r2 > r1 goto 9; 5: r1 = *(u8 *)(r2 + 0), refused (14 bytes checked,
// byte 14 read).
Refused off_by_one() {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/tests/verifier/corpus/ref_xdp_off_by_one.o", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string elf = ss.str();
    REQUIRE(!elf.empty());
    auto object = ObjectSession::open(std::span(reinterpret_cast<const uint8_t*>(elf.data()), elf.size()), "ref_xdp_off_by_one.o");
    REQUIRE(object);
    Refused out{std::move(object.value()), {}};
    const LoadedProgram* p = out.object->object().find_program("prog");
    REQUIRE(p);
    out.verdict = verifier::check_program(out.object->object(), *p);
    REQUIRE(out.verdict.kind == verifier::VerdictKind::Refuse);
    REQUIRE(out.verdict.path == std::vector<uint32_t>{0, 1, 2, 3, 4, 5});
    return out;
}

std::unique_ptr<DebugSession> debug(Refused& r, size_t packet_len) {
    RunInput in;
    in.packet.assign(packet_len, 0x11);
    auto d = DebugSession::open(*r.object, "prog", in);
    REQUIRE(d);
    d.value()->follow_checker(r.verdict);
    return std::move(d.value());
}

}  // namespace

TEST_CASE("checker path: the run that follows the refused path shows the checker's registers up to the refused insn") {
    Refused r = off_by_one();
    auto d = debug(r, 64);  // long enough: the run takes the fall-through the checker refuses
    DebugState s = d->state();
    REQUIRE(s.checker);
    CHECK(s.checker->on_path);
    CHECK(s.checker->path_index == 0);
    CHECK(s.checker->path_length == 6);
    CHECK(!s.checker->at_failure);
    CHECK(s.checker->kept);
    CHECK(s.checker->regs[1] == "ctx()");
    CHECK(s.checker->regs[10] == "fp0");
    CHECK(s.checker->regs[0] == "");

    for (int i = 0; i < 4; ++i) d->step();
    s = d->state();
    REQUIRE(s.pc == 4);
    CHECK(s.checker->on_path);
    CHECK(s.checker->path_index == 4);
    CHECK(s.checker->regs[2] == "pkt(off=14,r=0)");
    CHECK(s.checker->regs[1] == "pkt_end()");
    CHECK(s.checker->message == "");

    d->step();
    s = d->state();
    REQUIRE(s.pc == 5);
    CHECK(s.checker->on_path);
    CHECK(s.checker->at_failure);
    CHECK(s.checker->message == "invalid access to packet, off=14 size=1, R2(id=0,off=14,r=14)");
    CHECK(s.checker->regs[2] == "pkt(off=14,r=14)");
    CHECK(s.regs[2].kind == ValueKind::PacketPtr);  // the real value beside it
    CHECK(s.regs[2].offset == 14);
    const std::string json = debug_state_json(s);
    CHECK(json.find(R"("checker":{"on_path":true,"path_index":5,"path_length":6,"at_failure":true,)") != std::string::npos);
    CHECK(json.find(R"x("regs":["1","pkt_end()","pkt(off=14,r=14)","","","","","","","","fp0"]})x") != std::string::npos);

    // Back one step and forward again: the same entries.
    d->step_back();
    s = d->state();
    CHECK(s.checker->path_index == 4);
    CHECK(s.checker->regs[2] == "pkt(off=14,r=0)");
    d->step();
    CHECK(d->state().checker->at_failure);

    // The real run goes on past the refused read (the packet holds byte 14): past the path's end.
    d->step();
    s = d->state();
    REQUIRE(s.pc == 6);
    CHECK(!s.checker->on_path);
    CHECK(debug_state_json(s).find(R"("checker":{"on_path":false})") != std::string::npos);

    // Runs of many instructions at once are compared too (from the journal).
    d->goto_count(3);
    CHECK(d->state().checker->path_index == 3);
    d->reset();
    d->goto_count(5);
    CHECK(d->state().checker->at_failure);
}

TEST_CASE("checker path: a run that takes the other branch is off the checker's path") {
    Refused r = off_by_one();
    auto d = debug(r, 10);  // shorter than 14 bytes: the branch at 4 is taken, to 9
    d->goto_count(5);
    DebugState s = d->state();
    REQUIRE(s.pc == 9);
    REQUIRE(s.checker);
    CHECK(!s.checker->on_path);
    // Back to the branch: on the path again.
    d->step_back();
    s = d->state();
    CHECK(s.pc == 4);
    CHECK(s.checker->on_path);
    CHECK(s.checker->path_index == 4);
    // A fast continue's instructions are not recorded: the run's end is off the path.
    d->cont_fast();
    CHECK(!d->state().checker->on_path);
}

TEST_CASE("checker path: an accepted program's verdict is not followed") {
    Refused r = off_by_one();
    auto d = debug(r, 64);
    verifier::Verdict accepted;
    accepted.kind = verifier::VerdictKind::Accept;
    accepted.program = "prog";
    d->follow_checker(accepted);
    CHECK(!d->state().checker);
    CHECK(debug_state_json(d->state()).find(R"("checker":null)") != std::string::npos);
}

namespace {

verifier::Verdict made_up_refusal(std::vector<uint32_t> path, size_t states_from) {
    verifier::Verdict v;
    v.kind = verifier::VerdictKind::Refuse;
    v.program = "prog";
    v.message = "R0 !read_ok";
    v.path = std::move(path);
    v.path_states_from = states_from;
    for (size_t k = states_from; k < v.path.size(); ++k) {
        verifier::PathState s;
        s.kept = true;
        s.regs[1] = "state" + std::to_string(k);
        v.path_states.push_back(s);
    }
    return v;
}

}  // namespace

TEST_CASE("checker path: a global function's path starts wherever the run arrives at the function") {
    // The checker walks a global function (first insn 5) on its own: its path is 5, 6, 7.
    CheckerPath c(made_up_refusal({5, 6, 7}, 0));
    CHECK(!c.view(0, 0, true).on_path);
    CHECK(c.stepped(0));
    CHECK(c.stepped(1));
    CheckerView v = c.view(2, 5, true);  // the run called it after two instructions
    CHECK(v.on_path);
    CHECK(v.path_index == 0);
    CHECK(v.regs[1] == "state0");
    CHECK(!c.view(2, 5, false).on_path);  // another program's insn 5 (after a tail call)
    CHECK(c.stepped(5));
    CHECK(c.stepped(6));
    v = c.view(4, 7, true);
    CHECK(v.at_failure);
    CHECK(v.message == "R0 !read_ok");
    CHECK(c.stepped(7));
    CHECK(!c.view(5, 8, true).on_path);  // past the path's end
    c.rewound(3);
    CHECK(c.view(3, 6, true).path_index == 1);
    // On to the end of the function and back to it (a second call): its path again.
    CHECK(c.stepped(6));
    CHECK(c.stepped(7));
    CHECK(c.stepped(8));
    v = c.view(6, 5, true);
    CHECK(v.on_path);
    CHECK(v.path_index == 0);
}

TEST_CASE("checker path: path entries whose states are not kept are on the path without registers") {
    CheckerPath c(made_up_refusal({0, 1, 2}, 1));  // only entries 1 and 2 have states
    CheckerView v = c.view(0, 0, true);
    CHECK(v.on_path);
    CHECK(!v.kept);
    CHECK(v.regs[1] == "");
    CHECK(c.stepped(0));
    v = c.view(1, 1, true);
    CHECK(v.kept);
    CHECK(v.regs[1] == "state1");
    // A path from the entry: once the run leaves it, nothing later is on it.
    CHECK(!c.stepped(9));
    CHECK(!c.view(2, 2, true).on_path);
}
