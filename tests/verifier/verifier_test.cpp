// The static checker (core/verifier): hand-assembled programs with the kernel's exact
// messages, the differential corpus (tests/verifier/corpus: the running kernel's verdicts,
// recorded by record_corpus.sh), and every bundled example (the kernel accepts them all).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/json/json.hpp"
#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/text/asm.hpp"
#include "core/verifier/branch.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/object_check.hpp"
#include "verifier/object_verdicts.hpp"
#include "core/verifier/scalar.hpp"
#include "core/verifier/verdict_text.hpp"

using namespace bpfplay;
using namespace bpfplay::verifier;
using verifier::Scalar;
using verifier::AluOp;

namespace {

Verdict check_asm(const char* text, ProgType type = ProgType::Xdp, std::vector<const MapSpec*> maps = {}) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns, (insns ? "" : insns.error().to_string()));
    // With maps, "r1 = 0 ll" stands for an lddw of map 0 (src 1, BPF_PSEUDO_MAP_FD).
    if (!maps.empty())
        for (Insn& i : *insns)
            if (i.opcode == op::kLddw) i.src = op::kPseudoMapFd;
    CheckInput in;
    in.insns = *insns;
    in.type = type;
    in.maps = std::move(maps);
    return check(in);
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::vector<Verdict> check_object_file(const std::filesystem::path& p) {
    std::vector<Verdict> out;
    for (auto& named : verifier::testing::object_verdicts(p)) out.push_back(std::move(named.second));
    return out;
}

}  // namespace

TEST_CASE("accepts the smallest program and refuses an uninitialised r0") {
    CHECK(check_asm("r0 = 2\nexit").kind == VerdictKind::Accept);
    const Verdict v = check_asm("exit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.insn == 0);
    CHECK(v.message == "R0 !read_ok");
    CHECK(v.rule == Rule::UninitRegister);
    CHECK(!v.why.empty());
    CHECK(!v.fix.empty());
}

TEST_CASE("structure: jump out of range and unreachable instructions") {
    Verdict v = check_asm("r0 = 0\nif r0 > 1 goto +5\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "jump out of range from insn 1 to 7");
    v = check_asm("r0 = 0\nexit\nr0 = 1\nexit");
    CHECK(v.message == "unreachable insn 2");
    CHECK(v.insn == 2);
}

TEST_CASE("packet access needs a comparison with data_end, and the path leads there") {
    const char* unchecked = "r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 12)\nexit";
    Verdict v = check_asm(unchecked);
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.insn == 1);
    CHECK(v.message == "invalid access to packet, off=12 size=1, R2(id=0,off=12,r=0)");
    CHECK(v.path == std::vector<uint32_t>{0, 1});
    const char* checked =
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +2\n"
        "r0 = *(u16 *)(r2 + 12)\nexit\nr0 = 1\nexit";
    CHECK(check_asm(checked).kind == VerdictKind::Accept);
    // Reading byte 14 after proving 14 bytes is one too far.
    const char* off_by_one =
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +2\n"
        "r0 = *(u8 *)(r2 + 14)\nexit\nr0 = 1\nexit";
    v = check_asm(off_by_one);
    CHECK(v.insn == 5);
    CHECK(v.message == "invalid access to packet, off=14 size=1, R2(id=0,off=14,r=14)");
}

TEST_CASE("scalar bounds: ALU and branch refinement") {
    Scalar a = Scalar::range(0, 15);
    Scalar r = scalar_alu(AluOp::Add, a, Scalar::constant(3), false);
    CHECK(r.umin == 3);
    CHECK(r.umax == 18);
    r = scalar_alu(AluOp::And, Scalar::unknown(), Scalar::constant(0xff), false);
    CHECK(r.umax == 0xff);
    r = scalar_alu(AluOp::Lsh, Scalar::range(0, 3), Scalar::constant(2), false);
    CHECK(r.umax == 12);
    // 32-bit ops zero-extend.
    r = scalar_alu(AluOp::Sub, Scalar::constant(0), Scalar::constant(1), true);
    CHECK(r.is_const());
    CHECK(r.value() == 0xffffffffull);
}

TEST_CASE("scalar bounds: a JMP32 comparison bounds the low half of a register whose upper half is unknown") {
    // w6 = data_end - data: a 32-bit pointer subtraction, wholly unknown (examples/xdp_dynptr.c).
    Scalar w = Scalar::unknown();
    Scalar k = Scalar::constant(64);
    REQUIRE(refine(Cond::Lt, w, k, true));  // if w6 < 64
    CHECK(w.u32min == 0);
    CHECK(w.u32max == 63);
    CHECK(w.umax == 0xffffffff0000003full);  // the upper half is still unknown; bits 6..31 are zero
    CHECK(w.smin == INT64_MIN);
    CHECK(w.var.mask == ~0ull - 0xffffffc0ull);  // bits 6..31 known zero
    Scalar zero = Scalar::constant(0);
    REQUIRE(refine(Cond::Ne, w, zero, true));  // if w6 != 0
    CHECK(w.u32min == 1);
    CHECK(w.u32max == 63);
    // A 32-bit mov gives the low half's range whole.
    const Scalar moved = scalar_zext32(w);
    CHECK(moved.umin == 1);
    CHECK(moved.umax == 63);
    CHECK(branch_taken(Cond::Eq, w, Scalar::constant(0), true) == Taken::Never);
    CHECK(branch_taken(Cond::Eq, w, Scalar::constant(0), false) == Taken::Maybe);
    // A comparison the low half cannot satisfy: the branch is dead.
    Scalar big = Scalar::constant(100);
    Scalar w2 = w;
    CHECK_FALSE(refine(Cond::Gt, w2, big, true));
    // A pruned state with the narrower word does not cover one without it.
    CHECK_FALSE(w.covers(Scalar::unknown()));
    CHECK(Scalar::unknown().covers(w));
    // With a fixed upper half, the word's range bounds the 64-bit value.
    Scalar hi = Scalar::range(0x100000000ull, 0x1ffffffffull);
    Scalar sixteen = Scalar::constant(16);
    REQUIRE(refine(Cond::Lt, hi, sixteen, true));
    CHECK(hi.umin == 0x100000000ull);
    CHECK(hi.umax == 0x10000000full);
}

TEST_CASE("stack: bounds, alignment and the frame pointer") {
    Verdict v = check_asm("r1 = 0\n*(u64 *)(r10 - 520) = r1\nr0 = 2\nexit");
    CHECK(v.message == "invalid write to stack R10 off=-520 size=8");
    v = check_asm("r1 = 0\n*(u32 *)(r10 - 6) = r1\nr0 = 2\nexit");
    CHECK(v.message == "misaligned stack access off 0+0+-6 size 4");
    v = check_asm("r10 = 0\nr0 = 2\nexit");
    CHECK(v.message == "frame pointer is read only");
    // A spilled pointer comes back as that pointer.
    CHECK(check_asm("*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 12)\nexit").kind ==
          VerdictKind::Accept);
}

TEST_CASE("maps: null checks, bounds, and the helper's arguments") {
    MapSpec hash;
    hash.type = MapType::Hash;
    hash.key_size = 4;
    hash.value_size = 8;
    hash.max_entries = 16;
    const char* unchecked = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = 0 ll\ncall 1\nr0 = *(u64 *)(r0 + 0)\nexit";
    Verdict v = check_asm(unchecked, ProgType::Xdp, {&hash});
    CHECK(v.message == "R0 invalid mem access 'map_value_or_null'");
    CHECK(v.insn == 7);
    const char* checked =
        "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = 0 ll\ncall 1\nif r0 == 0 goto +1\n"
        "r0 = *(u64 *)(r0 + 0)\nr0 = 2\nexit";
    CHECK(check_asm(checked, ProgType::Xdp, {&hash}).kind == VerdictKind::Accept);
    const char* oob =
        "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = 0 ll\ncall 1\nif r0 == 0 goto +1\n"
        "r0 = *(u64 *)(r0 + 4)\nr0 = 2\nexit";
    CHECK(check_asm(oob, ProgType::Xdp, {&hash}).message == "invalid access to map value, value_size=8 off=4 size=8");
    CHECK(check_asm("r1 = 0\nr2 = r10\nr2 += -8\ncall 1\nr0 = 2\nexit").message == "R1 type=scalar expected=map_ptr");
    CHECK(check_asm("call 999\nr0 = 2\nexit").message == "invalid func unknown#999");
}

TEST_CASE("loops: bounded ones end, endless ones and huge ones are refused") {
    CHECK(check_asm("r0 = 0\nr0 += 1\nif r0 < 100 goto -2\nexit").kind == VerdictKind::Accept);
    Verdict v = check_asm("r0 = 0\nif r0 == 0 goto +1\nexit\ngoto -1");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "infinite loop detected at insn 3");
    v = check_asm("r0 = 0\nr0 += 1\nif r0 < 2000000 goto -2\nexit");
    CHECK(v.message == "BPF program is too large. Processed 1000001 insn");
}

TEST_CASE("context: per program type") {
    CHECK(check_asm("r0 = *(u32 *)(r1 + 24)\nexit").message == "invalid bpf_context access off=24 size=4");
    CHECK(check_asm("r2 = 0\n*(u32 *)(r1 + 8) = r2\nr0 = 0\nexit", ProgType::SchedCls).kind == VerdictKind::Accept);
    CHECK(check_asm("r2 = 0\n*(u32 *)(r1 + 8) = r2\nr0 = 0\nexit", ProgType::SocketFilter).message ==
          "invalid bpf_context access off=8 size=4");
    CHECK(check_asm("r0 = *(u32 *)(r1 + 0)\nexit", ProgType::SkSkb).kind == VerdictKind::CannotTell);
    // A sysctl program's `write` reads as any u32, which it may not return as is (0..1).
    CHECK(check_asm("r0 = *(u32 *)(r1 + 0)\nexit", ProgType::CgroupSysctl).message ==
          "At program exit the register R0 has smin=0 smax=4294967295 should have been in [0, 1]");
}

namespace {

// `n` diamonds in a row: a random number picks side a (its last instruction jumps over b) or b.
std::string diamonds(int n, const std::vector<std::string>& a, const std::vector<std::string>& b) {
    auto size = [](const std::vector<std::string>& side) {
        size_t k = 0;
        for (const std::string& line : side) k += line.ends_with(" ll") ? 2 : 1;  // an lddw is two
        return k;
    };
    std::string text;
    for (int k = 0; k < n; ++k) {
        text += "call 7\nif r0 > 100 goto +" + std::to_string(size(a) + 1) + "\n";
        for (const std::string& line : a) text += line + "\n";
        text += "goto +" + std::to_string(size(b)) + "\n";
        for (const std::string& line : b) text += line + "\n";
    }
    return text;
}

}  // namespace

TEST_CASE("pruning: a path whose state an explored one covers ends there") {
    // 30 diamonds, 2^30 paths. One side leaves a dead register written and spills a number,
    // the other writes zero bytes there, which the spilled (unknown) number covers.
    const std::string zeros = diamonds(30, {"r7 = r0", "*(u64 *)(r10 - 8) = r0"},
                                       {"r1 = 0", "*(u32 *)(r10 - 8) = r1", "*(u32 *)(r10 - 4) = r1"}) +
                              "r0 = *(u64 *)(r10 - 8)\nr0 = 2\nexit";
    Verdict v = check_asm(zeros.c_str());
    CHECK(v.kind == VerdictKind::Accept);
    CHECK(v.processed < 2000);
    // Each side looks a hash map value up and spills the pointer: the two paths' pointers have
    // different ids, which name the same thing once renamed.
    MapSpec hash;
    hash.type = MapType::Hash;
    hash.key_size = 4;
    hash.value_size = 8;
    hash.max_entries = 16;
    const std::vector<std::string> lookup = {"r1 = 0 ll", "r2 = r10",  "r2 += -4", "call 1", "if r0 != 0 goto +2",
                                             "r0 = 1",    "exit",      "*(u64 *)(r10 - 16) = r0"};
    const std::string ids = "r1 = 0\n*(u32 *)(r10 - 4) = r1\n" + diamonds(30, lookup, lookup) +
                            "r1 = *(u64 *)(r10 - 16)\nr0 = *(u64 *)(r1 + 0)\nr0 = 2\nexit";
    v = check_asm(ids.c_str(), ProgType::Xdp, {&hash});
    CHECK(v.kind == VerdictKind::Accept);
    CHECK(v.processed < 5000);
}

TEST_CASE("pruning: never against a state still being explored, nor one that differs where it matters") {
    // The second pass of this endless loop is narrower than the first (r6 unknown, then
    // 0..255): the first covers it but has not finished, so it proves nothing; the third pass
    // equals the second (the kernel names the loop's head).
    Verdict v = check_asm("call 7\nr6 = r0\nr6 &= 255\nif r6 > 1000 goto +1\ngoto -3\nr0 = 2\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "infinite loop detected at insn 2");
    // r2 is 8 on the path explored first and 64 on the other: a 16-byte value takes only 8.
    MapSpec array;
    array.type = MapType::Array;
    array.key_size = 4;
    array.value_size = 16;
    array.max_entries = 4;
    const std::string join = "call 7\nif r0 > 100 goto +2\nr9 = 8\ngoto +1\nr9 = 64\n" +
                             diamonds(5, {"r7 = 1"}, {"r7 = 2"}) +
                             "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr1 = 0 ll\nr2 = r10\nr2 += -4\ncall 1\n"
                             "if r0 == 0 goto +2\nr0 += r9\nr0 = *(u8 *)(r0 + 0)\nr0 = 2\nexit";
    v = check_asm(join.c_str(), ProgType::Xdp, {&array});
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "invalid access to map value, value_size=16 off=64 size=1");
    // r7 is a copy of r6 on the path explored first (bounding r6 bounds it), an unrelated
    // number of the same range on the other.
    const std::string unlinked = "call 7\nr6 = r0\ncall 7\nif r0 > 100 goto +2\nr7 = r6\ngoto +2\ncall 7\nr7 = r0\n" +
                                 diamonds(3, {"r8 = 1"}, {"r8 = 2"}) +
                                 "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr1 = 0 ll\nr2 = r10\nr2 += -4\ncall 1\n"
                                 "if r0 == 0 goto +3\nif r6 > 12 goto +2\nr0 += r7\nr0 = *(u8 *)(r0 + 0)\nr0 = 2\nexit";
    v = check_asm(unlinked.c_str(), ProgType::Xdp, {&array});
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "math between map_value pointer and register with unbounded min value is not allowed");
}

TEST_CASE("pruning: stack slots count only if the explored state's paths read them") {
    // Diamond k spills 1 or 2 to its own slot fp-8(k+1), never read after (fp-8 is overwritten
    // before it is read): 2^30 paths unless those slots are seen to be dead.
    std::string dead;
    for (int k = 0; k < 30; ++k) {
        const std::string slot = "*(u64 *)(r10 - " + std::to_string(8 * (k + 1)) + ") = r1";
        dead += diamonds(1, {"r1 = 1", slot}, {"r1 = 2", slot});
    }
    dead += "r1 = 3\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 = 2\nexit";
    Verdict v = check_asm(dead.c_str());
    CHECK(v.kind == VerdictKind::Accept);
    CHECK(v.processed < 2000);
    MapSpec array;
    array.type = MapType::Array;
    array.key_size = 4;
    array.value_size = 16;
    array.max_entries = 4;
    // The index is spilled (8, or 64 on the path explored second) and filled after the
    // diamonds: the slot is read, so the second path is not pruned.
    const std::string spilled = "call 7\nif r0 > 100 goto +3\nr1 = 8\n*(u64 *)(r10 - 16) = r1\ngoto +2\nr1 = 64\n"
                                "*(u64 *)(r10 - 16) = r1\n" + diamonds(5, {"r7 = 1"}, {"r7 = 2"}) +
                                "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr1 = 0 ll\nr2 = r10\nr2 += -4\ncall 1\n"
                                "if r0 == 0 goto +3\nr9 = *(u64 *)(r10 - 16)\nr0 += r9\nr0 = *(u8 *)(r0 + 0)\nr0 = 2\nexit";
    v = check_asm(spilled.c_str(), ProgType::Xdp, {&array});
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "invalid access to map value, value_size=16 off=64 size=1");
    // Only a helper reads the slot: the map key, 0 on the path explored first (the array's
    // value exists), 7 on the other (past max_entries: the lookup may fail, unchecked here).
    const std::string key = "call 7\nif r0 > 100 goto +3\nr1 = 0\n*(u64 *)(r10 - 8) = r1\ngoto +2\nr1 = 7\n"
                            "*(u64 *)(r10 - 8) = r1\n" + diamonds(5, {"r7 = 1"}, {"r7 = 2"}) +
                            "r1 = 0 ll\nr2 = r10\nr2 += -8\ncall 1\nr0 = *(u64 *)(r0 + 0)\nr0 = 2\nexit";
    v = check_asm(key.c_str(), ProgType::Xdp, {&array});
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "R0 invalid mem access 'map_value_or_null'");
    // fp-8 holds 8 (or 64 on the path explored last). After a state is recorded, one side of a
    // branch overwrites fp-8 and ends; the other, explored after it, reads fp-8: that read
    // counts for the recorded state though the first side's overwrite came before it in time.
    const std::string sibling = "r1 = 0\n*(u32 *)(r10 - 16) = r1\ncall 7\nr9 = r0\ncall 7\nif r0 > 100 goto +3\nr1 = 8\n"
                                "*(u64 *)(r10 - 8) = r1\ngoto +2\nr1 = 64\n*(u64 *)(r10 - 8) = r1\n" +
                                diamonds(3, {"r7 = 1"}, {"r7 = 2"}) +
                                "if r9 > 50 goto +4\nr1 = 0\n*(u64 *)(r10 - 8) = r1\nr0 = 2\nexit\n"
                                "r1 = 0 ll\nr2 = r10\nr2 += -16\ncall 1\nif r0 == 0 goto +3\nr7 = *(u64 *)(r10 - 8)\n"
                                "r0 += r7\nr0 = *(u8 *)(r0 + 0)\nr0 = 2\nexit";
    v = check_asm(sibling.c_str(), ProgType::Xdp, {&array});
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "invalid access to map value, value_size=16 off=64 size=1");
}

namespace {

// A random loop-free program: numbers, copies, spills and fills, diamonds and other forward
// branches, helper calls and map value accesses at offsets the branches may or may not bound.
std::string random_program(std::mt19937& rng) {
    auto pick = [&](int n) { return int(rng() % unsigned(n)); };
    // r1-r5 die at every call, r6 is the context: numbers live in r0 and r7-r9.
    static const char* const regs[] = {"r0", "r7", "r8", "r9"};
    static const char* const ops[] = {">", "<", "==", "!=", "s>", ">=", "&"};
    auto reg = [&] { return std::string(regs[pick(4)]); };
    auto slot = [&] { return "(r10 - " + std::to_string(8 * (1 + pick(4))) + ")"; };
    auto condition = [&] { return "if " + reg() + " " + ops[pick(7)] + " " + (pick(2) ? std::to_string(pick(20)) : reg()); };
    auto simple = [&]() -> std::vector<std::string> {
        const std::string x = reg();
        switch (pick(7)) {
        case 0: return {x + " = " + std::to_string(pick(20))};
        case 1: return {x + " += " + std::to_string(pick(8))};
        case 2: return {x + " &= " + std::to_string((8 << pick(3)) - 1)};
        case 3: return {x + " = " + reg()};
        case 4: return {"*(u64 *)" + slot() + " = " + x, x + " = " + std::to_string(pick(4))};  // only the slot keeps it
        case 5: return {x + " = *(u64 *)" + slot()};
        default: return {"*(u32 *)" + slot() + " = " + x};
        }
    };
    std::vector<std::vector<std::string>> blocks;
    blocks.push_back({"r6 = r1", "r7 = *(u32 *)(r6 + 12)", "call 7", "r8 = r0", "r9 = 0", "r0 = 0", "r1 = 1", "r2 = 2",
                      "r3 = 3", "r4 = 4", "r5 = 5"});
    const int n = 12 + pick(20);
    std::vector<int> jump_at;  // blocks that end in a forward jump, patched below
    for (int k = 0; k < n; ++k) {
        std::vector<std::string> b;
        switch (pick(8)) {
        case 0:
        case 1:
        case 2: b = simple(); break;
        case 3: b = {"call 7"}; break;
        case 4: {
            const std::string x = reg(), y = reg();
            b = {"r1 = 0 ll", "r2 = r10", "r2 += -" + std::to_string(8 * (1 + pick(4))), "call 1", "if r0 == 0 goto +2",
                 "r0 += " + (y == "r0" ? std::string("r9") : y), (x == "r0" ? std::string("r7") : x) + " = *(u8 *)(r0 + 0)"};
            break;
        }
        case 5:
            b = {condition() + " goto"};
            jump_at.push_back(int(blocks.size()));
            break;
        default: {  // a diamond: side a, or side b
            std::vector<std::string> a, other;
            for (int m = 1 + pick(3); m-- > 0;)
                for (const std::string& line : simple()) a.push_back(line);
            for (int m = 1 + pick(3); m-- > 0;)
                for (const std::string& line : simple()) other.push_back(line);
            b = {condition() + " goto +" + std::to_string(a.size() + 1)};
            b.insert(b.end(), a.begin(), a.end());
            b.push_back("goto +" + std::to_string(other.size()));
            b.insert(b.end(), other.begin(), other.end());
        }
        }
        blocks.push_back(b);
    }
    blocks.push_back({"r0 = 2", "exit"});
    std::vector<int> start(blocks.size() + 1, 0);  // instruction index of each block
    for (size_t k = 0; k < blocks.size(); ++k) {
        int size = 0;
        for (const std::string& line : blocks[k]) size += line.ends_with(" ll") ? 2 : 1;
        start[k + 1] = start[k] + size;
    }
    for (int k : jump_at) {
        const int target = k + 1 + pick(int(blocks.size()) - k - 1);  // a later block's start
        blocks[size_t(k)].back() += " +" + std::to_string(start[size_t(target)] - start[size_t(k) + 1]);
    }
    std::string text;
    for (const auto& b : blocks)
        for (const std::string& line : b) text += line + "\n";
    return text;
}

}  // namespace

TEST_CASE("pruning never changes a verdict, only how many instructions it takes") {
    MapSpec array;
    array.type = MapType::Array;
    array.key_size = 4;
    array.value_size = 16;
    array.max_entries = 4;
    std::mt19937 rng(20261207);
    size_t compared = 0, refused = 0, pruned_less = 0;
    for (int round = 0; round < 400; ++round) {
        const std::string text = random_program(rng);
        CAPTURE(text);
        auto insns = assemble(text);
        REQUIRE_MESSAGE(insns, (insns ? "" : insns.error().to_string()));
        for (Insn& i : *insns)
            if (i.opcode == op::kLddw) i.src = op::kPseudoMapFd;
        CheckInput in;
        in.insns = *insns;
        in.type = ProgType::Xdp;
        in.maps = {&array};
        in.budget = 200000;
        in.prune = false;
        const Verdict every_path = check(in);
        if (every_path.rule == Rule::TooComplex) continue;
        in.prune = true;
        const Verdict pruned = check(in);
        CHECK(pruned.kind == every_path.kind);
        CHECK(pruned.message == every_path.message);
        CHECK(pruned.insn == every_path.insn);
        ++compared;
        refused += every_path.kind == VerdictKind::Refuse;
        pruned_less += pruned.processed < every_path.processed;
    }
    MESSAGE("pruning vs every path: " << compared << " programs compared, " << refused << " refused, " << pruned_less
                                      << " walked fewer instructions");
    CHECK(compared >= 300);
    CHECK(refused >= 50);
    CHECK(compared - refused >= 50);
    CHECK(pruned_less >= 100);
}

TEST_CASE("the corpus agrees with the kernel's recorded verdicts") {
    const std::filesystem::path dir = std::filesystem::path(BPFPLAY_SOURCE_DIR) / "tests/verifier/corpus";
    auto doc = parse_json(read_text(dir / "verdicts.json"));
    REQUIRE(doc);
    size_t agree = 0;
    for (size_t k = 0; k < doc->keys().size(); ++k) {
        const std::string& name = doc->keys()[k];
        const JsonValue& kernel = doc->items()[k];
        CAPTURE(name);
        const auto verdicts = check_object_file(dir / (name + ".o"));
        // One program an object, or (struct_ops, whose map needs its required members) the
        // recorded program first and others it needs after it.
        REQUIRE(!verdicts.empty());
        REQUIRE(verdicts[0].program == kernel.get("program").as_string());
        const Verdict& v = verdicts[0];
        CAPTURE(v.message);
        if (kernel.get("accepted").as_bool()) {
            CHECK(v.kind == VerdictKind::Accept);
            agree += v.kind == VerdictKind::Accept;
            continue;
        }
        CHECK(v.kind == VerdictKind::Refuse);
        CHECK(v.message == kernel.get("message").as_string());
        // How many instructions the kernel counts before giving up is its own bookkeeping:
        // for "too large", only the message is compared. Insn -1: the kernel refused before
        // walking any instruction (a map the program type may not use), where the checker names
        // the instruction that uses it.
        const int64_t kernel_insn = kernel.get("insn").as_int64().value_or(-2);
        if (v.rule != Rule::TooComplex && kernel_insn != -1) CHECK(int64_t(v.insn) == kernel_insn);
        agree += v.kind == VerdictKind::Refuse && v.message == kernel.get("message").as_string();
    }
    MESSAGE("corpus: " << agree << "/" << doc->keys().size() << " agree with the kernel");
    CHECK(agree == doc->keys().size());
    CHECK(doc->keys().size() >= 40);
}

TEST_CASE("every bundled example gets this machine's kernel's verdict") {
    // The kernel loads every example but xdp_cpu_number: Linux 6.18 here has no
    // CONFIG_KALLSYMS_ALL, so the typed __ksym cpu_number has no address (examples/README.md).
    const std::filesystem::path dir = std::filesystem::path(BPFPLAY_SOURCE_DIR) / "public/examples";
    size_t accepted = 0, refused = 0, cannot_tell = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".o") continue;
        for (const Verdict& v : check_object_file(entry.path())) {
            CAPTURE(entry.path().filename().string());
            CAPTURE(verdict_text(v));
            if (entry.path().filename() == "xdp_cpu_number.o") {
                CHECK(v.kind == VerdictKind::Refuse);
                CHECK(v.message == "ldimm64 failed to find the address for kernel symbol 'cpu_number'.");
                CHECK(v.rule == Rule::KernelSymbol);
                refused += v.kind == VerdictKind::Refuse;
                continue;
            }
            CHECK(v.kind != VerdictKind::Refuse);
            accepted += v.kind == VerdictKind::Accept;
            cannot_tell += v.kind == VerdictKind::CannotTell;
        }
    }
    MESSAGE("examples: " << accepted << " accepted, " << refused << " refused, " << cannot_tell << " cannot tell");
    CHECK(accepted >= 30);
    CHECK(refused == 1);
    // Issue 16: the checker decides every example (the dynptr kfuncs and bpf_kptr_xchg were the
    // last ones it could not tell).
    CHECK(cannot_tell == 0);
}

TEST_CASE("a callback whose changing numbers decide branches: cannot tell (the kernel's precision decides)") {
    // Linux 6.18 refuses it ("The sequence of 8193 jumps is too complex."): the numbers are
    // precise there, so the calls never converge; the checker widens them and will not guess.
    const auto verdicts =
        check_object_file(std::filesystem::path(BPFPLAY_SOURCE_DIR) / "tests/verifier/fixtures/callback_precise_counter.o");
    REQUIRE(verdicts.size() == 1);
    CHECK(verdicts[0].kind == VerdictKind::CannotTell);
    CHECK(verdicts[0].insn == 12);
    CHECK(verdicts[0].message ==
          "a branch on a number a callback changes (the kernel's precision tracking decides whether its calls converge)");
}

TEST_CASE("typed __ksym variables: refused without CONFIG_KALLSYMS_ALL (the reference kernel's config)") {
    const Insn insns[] = {
        {op::kLddw, 1, 0, 0, 0x1000}, {0, 0, 0, 0, 0},  // r1 = &cpu_number (the emulated handle)
        {0xb7, 0, 0, 0, 2},                             // r0 = XDP_PASS
        {0x95, 0, 0, 0, 0},                             // exit
    };
    CheckInput in;
    in.insns = insns;
    in.type = ProgType::Xdp;
    in.ksym_vars = {KsymVar{0, "cpu_number"}};
    const Verdict refused = check(in);
    CHECK(refused.kind == VerdictKind::Refuse);
    CHECK(refused.insn == 0);
    CHECK(refused.rule == Rule::KernelSymbol);
    CHECK(refused.message == "ldimm64 failed to find the address for kernel symbol 'cpu_number'.");
    in.ksym_vars.clear();
    CHECK(check(in).kind == VerdictKind::Accept);
}

namespace {

// A tracing program of `attach` type on `target`, its context as btf_ctx_for sees it.
Verdict check_traced(const char* text, AttachType attach, const char* target) {
    LoadedProgram p;
    p.type = ProgType::Tracing;
    p.attach = attach;
    p.attach_target = target;
    auto insns = assemble(text);
    REQUIRE(insns);
    CheckInput in;
    in.insns = *insns;
    in.type = p.type;
    in.attach = p.attach;
    in.btf_ctx = btf_ctx_for(p);
    in.gpl_compatible = true;
    return check(in);
}

// An fentry program on do_unlinkat(int dfd, struct filename *name).
Verdict check_fentry(const char* text, AttachType attach = AttachType::TraceFentry) {
    return check_traced(text, attach, "do_unlinkat");
}

}  // namespace

TEST_CASE("tracing context: the attach point's prototype gives the slots (btf_ctx_access)") {
    LoadedProgram p;
    p.type = ProgType::Tracing;
    p.attach = AttachType::TraceFexit;
    p.attach_target = "do_unlinkat";
    const auto ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    CHECK(ctx->unknown.empty());
    CHECK(ctx->func == "do_unlinkat");
    REQUIRE(ctx->args.size() == 2);
    CHECK(ctx->args[0].kind == BtfSlotKind::Scalar);         // int dfd
    CHECK(ctx->args[1].kind == BtfSlotKind::ObjectPointer);  // struct filename *name
    CHECK(!ctx->args[1].maybe_null);
    REQUIRE(ctx->ret);                                        // fexit reads the int it returns
    CHECK(ctx->ret->kind == BtfSlotKind::Scalar);
    // An iterator's context is its target's struct bpf_iter__<target>, modelled for some.
    p.attach = AttachType::TraceIter;
    CHECK(btf_ctx_for(p)->unknown == "an iterator's context (typed by its target do_unlinkat, not modelled)");
    p.attach = AttachType::TraceFentry;
    p.attach_target = "no_such_function_here";
    CHECK(btf_ctx_for(p)->unknown == "the context of no_such_function_here (its prototype is not in the built-in BTF)");
}

TEST_CASE("tracing context: reads the kernel allows and refuses") {
    // An int argument reads in any width; a pointer to a struct only whole.
    CHECK(check_fentry("r2 = *(u32 *)(r1 + 0)\nr0 = 0\nexit").kind == VerdictKind::Accept);
    Verdict v = check_fentry("r0 = *(u32 *)(r1 + 8)\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "func 'do_unlinkat' size 4 must be 8");
    v = check_fentry("r0 = *(u64 *)(r1 + 16)\nexit");
    CHECK(v.message == "func 'do_unlinkat' doesn't have 3-th argument");
    CHECK(v.insn == 0);
    // fexit: ctx[2] is the return value.
    CHECK(check_fentry("r2 = *(u64 *)(r1 + 16)\nr0 = 0\nexit", AttachType::TraceFexit).kind == VerdictKind::Accept);
    CHECK(check_fentry("r0 = *(u64 *)(r1 + 24)\nexit", AttachType::TraceFexit).message ==
          "func 'do_unlinkat' doesn't have 4-th argument");
    CHECK(check_fentry("r0 = *(u32 *)(r1 + 4)\nexit").message == "func 'do_unlinkat' offset 4 is not multiple of 8");
    // tracing_prog_is_valid_access: past MAX_BPF_FUNC_ARGS slots, misaligned, writes.
    CHECK(check_fentry("r0 = *(u64 *)(r1 + 96)\nexit").message == "invalid bpf_context access off=96 size=8");
    CHECK(check_fentry("r0 = *(u64 *)(r1 + 4)\nexit").message == "invalid bpf_context access off=4 size=8");
    CHECK(check_fentry("r2 = 0\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit").message == "invalid bpf_context access off=0 size=8");
}

TEST_CASE("tracing context: a kernel object pointer argument") {
    // Its fields are read with a helper from a computed address: pointer arithmetic is allowed.
    CHECK(check_fentry("r3 = *(u64 *)(r1 + 8)\nr3 += 16\nr1 = r10\nr1 += -8\nr2 = 8\ncall 113\nr0 = 0\nexit").kind ==
          VerdictKind::Accept);
    // Compared with NULL it is explored both ways (the kernel does not trust fentry arguments).
    CHECK(check_fentry("r2 = *(u64 *)(r1 + 8)\nr0 = 0\nif r2 != 0 goto +1\nr0 = *(u64 *)(r1 + 96)\nexit").message ==
          "invalid bpf_context access off=96 size=8");
    // btf_struct_walk: struct filename starts with const char *name, a pointer to no struct:
    // read whole, a number; read in part, refused. aname points at a struct the trimmed BTF
    // only declares.
    CHECK(check_fentry("r2 = *(u64 *)(r1 + 8)\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit").kind == VerdictKind::Accept);
    CHECK(check_fentry("r2 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit").message ==
          "cannot access ptr member name with moff 0 in struct filename with off 0 size 4");
    Verdict v = check_fentry("r2 = *(u64 *)(r1 + 8)\nr0 = *(u64 *)(r2 + 24)\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::CannotTell);
    CHECK(v.message == "a pointer field (aname of struct filename) to a kernel type the built-in BTF has no layout of");
    CHECK(v.insn == 1);
    v = check_fentry("r2 = *(u64 *)(r1 + 8)\nr2 *= 2\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "R2 pointer arithmetic with *= operator prohibited");
}

namespace {

// An fentry on an XDP program (xdpdump's "fentry/func"): ctx[0] is a struct xdp_buff *.
Verdict check_traced_xdp(const char* text, bool sleepable = false) {
    LoadedProgram p;
    p.type = ProgType::Tracing;
    p.attach = AttachType::TraceFentry;
    p.attach_target = "func";
    p.traced_type = ProgType::Xdp;
    auto insns = assemble(text);
    REQUIRE(insns);
    CheckInput in;
    in.insns = *insns;
    in.type = p.type;
    in.attach = p.attach;
    in.btf_ctx = btf_ctx_for(p);
    in.gpl_compatible = true;
    in.sleepable = sleepable;
    return check(in);
}

}  // namespace

TEST_CASE("tracing a BPF program: the traced XDP program's struct xdp_buff, walked as btf_struct_walk does") {
    // xdp->rxq (offset 32) is a struct xdp_rxq_info *: a kernel object pointer, whose
    // queue_index (offset 8) reads as a number and dev (offset 0) only whole.
    const char* rxq = "r1 = *(u64 *)(r1 + 0)\nr2 = *(u64 *)(r1 + 32)\n";
    CHECK(check_traced_xdp((std::string(rxq) + "r0 = *(u32 *)(r2 + 8)\nr0 = 0\nexit").c_str()).kind == VerdictKind::Accept);
    CHECK(check_traced_xdp((std::string(rxq) + "r0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit").c_str()).message ==
          "cannot access ptr member dev with moff 0 in struct xdp_rxq_info with off 0 size 4");
    CHECK(check_traced_xdp((std::string(rxq) + "r0 = *(u32 *)(r2 + 64)\nr0 = 0\nexit").c_str()).message ==
          "access beyond struct xdp_rxq_info at off 64 size 4");
    // No second argument for an fentry. An fentry's arguments are not trusted (prog_args_trusted),
    // so what a sleepable one walks out of them is plain, not untrusted, and reads on.
    CHECK(check_traced_xdp("r0 = *(u64 *)(r1 + 8)\nexit").message == "func 'func' doesn't have 2-th argument");
    CHECK(check_traced_xdp((std::string(rxq) + "r0 = *(u32 *)(r2 + 8)\nr0 = 0\nexit").c_str(), true).kind ==
          VerdictKind::Accept);
}

TEST_CASE("tracing a BPF program: xdp_dump and the bpf_xdp_output / bpf_skb_output fixture are accepted") {
    for (const Verdict& v : check_object_file(std::filesystem::path(BPFPLAY_SOURCE_DIR) / "public/examples/xdp_dump.o")) {
        CAPTURE(verdict_text(v));
        CHECK(v.kind == VerdictKind::Accept);
    }
    for (const Verdict& v :
         check_object_file(std::filesystem::path(BPFPLAY_SOURCE_DIR) / "tests/loader/fixtures/traced_output.o")) {
        CAPTURE(verdict_text(v));
        CHECK(v.kind == VerdictKind::Accept);
    }
}

TEST_CASE("lsm context: reads by btf_ctx_access alone, writes not modelled") {
    LoadedProgram p;
    p.type = ProgType::Lsm;
    p.attach = AttachType::LsmMac;
    p.attach_target = "file_open";
    auto ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    CHECK(ctx->func == "bpf_lsm_file_open");
    REQUIRE(ctx->args.size() == 1);
    CHECK(ctx->args[0].kind == BtfSlotKind::ObjectPointer);
    CHECK(btf_ctx_access(ProgType::Lsm, &*ctx, 8, 4, false).kind == BtfCtxAccess::Kind::Number);  // ret
    const BtfCtxAccess past = btf_ctx_access(ProgType::Lsm, &*ctx, 16, 8, false);
    CHECK(past.kind == BtfCtxAccess::Kind::Refused);
    CHECK(past.message == "func 'bpf_lsm_file_open' doesn't have 3-th argument");
    CHECK(btf_ctx_access(ProgType::Lsm, &*ctx, 0, 8, true).kind == BtfCtxAccess::Kind::CannotTell);
}

TEST_CASE("kernel object pointers: bpf_get_current_task_btf and helpers typed per program type") {
    // RET_PTR_TO_BTF_ID_TRUSTED: a task pointer, never NULL, whose integer fields read as
    // numbers (task_struct's pid at 1264 in Linux 6.18 x86-64), its pointer fields not modelled.
    CHECK(check_fentry("call 158\nr1 = *(u32 *)(r0 + 1264)\nr0 = 0\nexit").kind == VerdictKind::Accept);
    Verdict v = check_fentry("call 158\nr1 = *(u64 *)(r0 + 1264)\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "access beyond the end of member pid (mend:1268) in struct task_struct with off 1264 size 8");
    v = check_fentry("call 158\nr1 = *(s32 *)(r0 + 1264)\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::CannotTell);
    CHECK(v.message == "a sign-extending load through a kernel object pointer");
    v = check_fentry("call 158\nw0 += 8\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "R0 32-bit pointer arithmetic prohibited");
    // Tracing's bpf_get_socket_cookie takes a socket object (bpf_get_socket_ptr_cookie_proto),
    // not the context the catalog's prototype names. Another struct is refused with what
    // btf_struct_walk logs on its way to a struct sock_common, which is not modelled.
    v = check_fentry("r1 = *(u64 *)(r1 + 8)\ncall 46\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::CannotTell);
    CHECK(v.message == "bpf_get_socket_cookie's argument 1, a struct filename where a socket is expected");
}

namespace {

// A tp_btf program on tcp_probe(struct sock *sk, const struct sk_buff *skb).
Verdict check_tcp_probe(const char* text) { return check_traced(text, AttachType::TraceRawTp, "tcp_probe"); }

}  // namespace

TEST_CASE("tracing programs' bpf_get_socket_cookie takes a kernel socket (ARG_PTR_TO_BTF_ID_SOCK_COMMON)") {
    // The corpus has the kernel's verdicts for the same (tests/verifier/corpus/*socket_cookie*).
    CHECK(check_tcp_probe("r1 = *(u64 *)(r1 + 0)\ncall 46\nr0 = 0\nexit").kind == VerdictKind::Accept);
    CHECK(check_tcp_probe("r1 = 0\ncall 46\nr0 = 0\nexit").kind == VerdictKind::Accept);
    Verdict v = check_tcp_probe("call 46\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.rule == Rule::HelperArg);
    CHECK(v.message == "R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_");
    v = check_tcp_probe("r1 = 1\ncall 46\nr0 = 0\nexit");
    CHECK(v.message == "R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_");
    // skb->sk: the kernel marks it rcu_ptr_or_null_ (BTF_TYPE_SAFE_RCU_OR_NULL) and refuses it;
    // a plain walked pointer it would take.
    v = check_tcp_probe("r1 = *(u64 *)(r1 + 8)\nr1 = *(u64 *)(r1 + 24)\ncall 46\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.insn == 2);
    CHECK(v.message == "R1 type=rcu_ptr_or_null_ expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_");
    // Pointers found past a union of several members are PTR_UNTRUSTED (skb->dev here, which
    // the kernel lets the program read through): not tracked.
    v = check_tcp_probe("r1 = *(u64 *)(r1 + 8)\nr2 = *(u64 *)(r1 + 16)\nr3 = *(u32 *)(r2 + 0)\nr0 = 0\nexit");
    CHECK(v.kind == VerdictKind::CannotTell);
    CHECK(v.insn == 1);
    CHECK(v.message == "a pointer field (dev) read through a kernel union (untrusted)");
    // Networking programs keep the context variant.
    v = check_asm("r1 = 0\ncall 46\nr0 = 0\nexit", ProgType::SchedCls);
    CHECK(v.message == "R1 type=scalar expected=ctx");
}

TEST_CASE("kernel object reads need the license: unknown is 'cannot tell'") {
    auto insns = assemble("call 158\nr1 = *(u32 *)(r0 + 1264)\nr0 = 0\nexit");
    REQUIRE(insns);
    CheckInput in;
    in.insns = *insns;
    in.type = ProgType::Tracing;
    in.attach = AttachType::TraceFentry;
    Verdict v = check(in);
    CHECK(v.kind == VerdictKind::CannotTell);
    CHECK(v.message == "a read of a kernel object by a program of unknown license");
    in.gpl_compatible = false;
    v = check(in);
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "Cannot access kernel 'struct task_struct' from non-GPL compatible program");
    // No struct (type id 0: a type the built-in BTF lacks) is walked.
    CHECK(btf_object_read(0, 0, 4).kind == BtfLoad::Kind::CannotTell);
}
