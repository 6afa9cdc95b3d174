// The registers the checker inferred along a refusal's path (Verdict::path_states), in the
// kernel log's notation: each text below is what Linux 6.18's verifier log (log_level 2) prints
// for the same register at the same instruction, except where a comment says otherwise.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/text/asm.hpp"
#include "core/verifier/verdict_text.hpp"
#include "verifier/object_verdicts.hpp"

using namespace bpfplay;
using namespace bpfplay::verifier;

namespace {

Verdict check_states_asm(const char* text) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns, (insns ? "" : insns.error().to_string()));
    CheckInput in;
    in.insns = *insns;
    in.type = ProgType::Xdp;
    return check(in);
}

Verdict check_corpus(const char* name) {
    const auto verdicts =
        verifier::testing::object_verdicts(std::filesystem::path(BPFPLAY_SOURCE_DIR) / "tests/verifier/corpus" / name);
    REQUIRE(verdicts.size() == 1);
    return verdicts[0].second;
}

}  // namespace

TEST_CASE("path states: a packet read without a data_end check shows the pointer with no proven range") {
    // 0: r2 = ctx->data; 1: r3 = ctx->data_end; 2: r0 = *(u16 *)(r2 + 12): refused.
    const Verdict v = check_corpus("ref_xdp_ctx_pkt_late_check.o");
    REQUIRE(v.kind == VerdictKind::Refuse);
    REQUIRE(v.insn == 2);
    REQUIRE(v.path == std::vector<uint32_t>{0, 1, 2});
    CHECK(v.path_states_from == 0);
    REQUIRE(v.path_states.size() == 3);
    const PathState& at = v.path_states.back();
    CHECK(at.kept);
    CHECK(at.frame == 0);
    CHECK(at.regs[0] == "");
    CHECK(at.regs[1] == "ctx()");
    CHECK(at.regs[2] == "pkt(r=0)");
    CHECK(at.regs[3] == "pkt_end()");
    CHECK(at.regs[10] == "fp0");
    CHECK(path_state_text(v.path_states[0]) == "R1=ctx() R10=fp0");
    CHECK(path_state_text(at) == "R1=ctx() R2=pkt(r=0) R3=pkt_end() R10=fp0");
}

TEST_CASE("path states: an offset pointer and a checked range, before an off-by-one read") {
    const Verdict v = check_corpus("ref_xdp_off_by_one.o");
    REQUIRE(v.kind == VerdictKind::Refuse);
    REQUIRE(v.insn == 5);
    REQUIRE(v.path_states.size() == 6);
    CHECK(v.path_states[3].regs[2] == "pkt(off=14,r=0)");   // before the comparison
    CHECK(v.path_states[5].regs[2] == "pkt(off=14,r=14)");  // the refused read: 14 bytes proven
    CHECK(v.path_states[5].regs[0] == "1");
}

TEST_CASE("path states: numbers' ranges, and the states stay aligned with the path after a branch cut back") {
    // The fall-through side (11-13) is explored first and is fine; the walk then goes back to
    // the branch at 10 and the taken side fails at 14.
    const Verdict v = check_states_asm(
        "r2 = *(u32 *)(r1 + 0)\n"    // 0
        "r3 = *(u32 *)(r1 + 4)\n"    // 1
        "r6 = *(u32 *)(r1 + 12)\n"   // 2
        "r6 &= 255\n"                // 3
        "r7 = -5\n"                  // 4
        "r7 s>>= 1\n"                // 5
        "r8 = *(u32 *)(r1 + 16)\n"   // 6
        "r8 -= 3\n"                  // 7
        "r4 = r2\n"                  // 8
        "r4 += 14\n"                 // 9
        "if r4 > r3 goto +3\n"       // 10
        "r0 = *(u8 *)(r2 + 0)\n"     // 11
        "r0 = 2\n"                   // 12
        "exit\n"                     // 13
        "r0 = *(u8 *)(r2 + 12)\n"    // 14
        "exit\n");
    REQUIRE(v.kind == VerdictKind::Refuse);
    REQUIRE(v.insn == 14);
    REQUIRE(v.path == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14});
    REQUIRE(v.path_states.size() == v.path.size());
    for (const PathState& s : v.path_states) CHECK(s.kept);
    CHECK(v.path_states[3].regs[6] == "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))");
    // Entry 11 was the fall-through's insn 11 (R2 proven 14 bytes, R0 unset) before the cut:
    // it is insn 14's now.
    const PathState& at = v.path_states[11];
    CHECK(at.regs[0] == "");
    CHECK(at.regs[2] == "pkt(r=0)");
    // The kernel prints r=0xfffffffffffffffe here (its BEYOND_PKT_END mark on the side where the
    // pointer is past data_end), which the checker does not model.
    CHECK(at.regs[4] == "pkt(off=14,r=0)");
    CHECK(at.regs[6] == "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    CHECK(at.regs[7] == "-3");
    CHECK(at.regs[8] == "scalar(smin=-3,smax=0xfffffffc)");
    // The text tail: the last few entries, by instruction.
    const std::string text = verdict_text(v);
    CHECK(text.find("  registers the checker inferred (before each instruction):\n") != std::string::npos);
    CHECK(text.find("\n    14: R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(off=14,r=0) ") != std::string::npos);
    CHECK(text.find("\n    7: R1=ctx() ") != std::string::npos);  // five entries: 7, 8, 9, 10, 14
    CHECK(text.find("\n    6: ") == std::string::npos);
}

TEST_CASE("path states: only the last kPathStatesKept entries are kept; entries a longer branch reused say so") {
    // The fall-through side loops 3000 times (6000 path entries) and exits; the other side of
    // insn 2 then reads an uninitialised r9. Its path is four entries long, but the first three
    // ring slots were reused by the long side: only the failing entry's state is kept.
    const Verdict v = check_states_asm(
        "r6 = *(u32 *)(r1 + 12)\n"   // 0
        "r0 = 0\n"                   // 1
        "if r6 == 0 goto +4\n"       // 2
        "r1 = 0\n"                   // 3
        "r1 += 1\n"                  // 4
        "if r1 < 3000 goto -2\n"     // 5
        "exit\n"                     // 6
        "r0 = r9\n"                  // 7
        "exit\n");
    REQUIRE(v.kind == VerdictKind::Refuse);
    REQUIRE(v.message == "R9 !read_ok");
    REQUIRE(v.path == std::vector<uint32_t>{0, 1, 2, 7});
    REQUIRE(v.path_states.size() == 4);
    CHECK(!v.path_states[0].kept);
    CHECK(!v.path_states[2].kept);
    CHECK(path_state_text(v.path_states[0]) == "(not kept)");
    CHECK(v.path_states[3].kept);
    CHECK(v.path_states[3].regs[0] == "0");
    CHECK(v.path_states[3].regs[6] == "0");  // the taken side of r6 == 0
    CHECK(v.path_states[3].regs[9] == "");

    // A path longer than what is kept: the states cover its tail.
    const Verdict w = check_states_asm(
        "r1 = 0\n"
        "r1 += 1\n"
        "if r1 < 3000 goto -2\n"
        "exit\n");
    REQUIRE(w.kind == VerdictKind::Refuse);
    REQUIRE(w.path.size() == 6002);
    CHECK(w.path_states_from == 6002 - kPathStatesKept);
    REQUIRE(w.path_states.size() == kPathStatesKept);
    CHECK(w.path_states.back().kept);
    CHECK(w.path_states.back().regs[1] == "3000");
    // Entry 2k is insn 2 after k additions.
    CHECK(w.path_states_from % 2 == 0);
    CHECK(w.path[w.path_states_from] == 2);
    CHECK(w.path_states.front().kept);
    CHECK(w.path_states.front().regs[1] == std::to_string(w.path_states_from / 2));
}
