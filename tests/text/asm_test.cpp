// The assembler on its own: the liberal input it accepts, labels, helper names, and the
// exact errors it gives for everything else.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/text/asm.hpp"
#include "core/text/disasm.hpp"
#include "text/hex.hpp"

using bpfplay::Insn;

namespace {

std::vector<Insn> ok(const std::string& text) {
    auto r = bpfplay::assemble(text);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return *r;
}

std::string dis(const std::string& text) {
    return bpfplay::disassemble(ok(text));
}

// "line N: what" as the CLI prints it, hint left out.
std::string err(const std::string& text) {
    auto r = bpfplay::assemble(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == bpfplay::ErrorKind::Parse);
    REQUIRE(r.error().where.line.has_value());
    return "line " + std::to_string(*r.error().where.line) + ": " + r.error().what;
}

struct Row {
    const char* hex;
    const char* text;
};

// llvm-objdump -d --print-imm-hex output (same object as objdump_table_test.cpp).
const Row kHexImmRows[] = {
    {"04 00 00 00 00 00 00 00", "w0 += 0x0"},
    {"2c 21 00 00 00 00 00 00", "w1 *= w2"},
    {"54 09 00 00 05 00 00 00", "w9 &= 0x5"},
    {"7c 05 00 00 00 00 00 00", "w5 >>= w0"},
    {"bc 10 00 00 00 00 00 00", "w0 = w1"},
    {"1f 05 00 00 00 00 00 00", "r5 -= r0"},
    {"4f 10 00 00 00 00 00 00", "r0 |= r1"},
    {"77 0a 00 00 ff ff ff ff", "r10 >>= -0x1"},
    {"cf a9 00 00 00 00 00 00", "r9 s>>= r10"},
    {"dc 09 00 00 10 00 00 00", "r9 = be16 r9"},
    {"35 00 00 00 00 00 00 00", "if r0 >= 0x0 goto +0x0"},
    {"65 00 ff 7f ff ff ff 7f", "if r0 s> 0x7fffffff goto +0x7fff"},
    {"ad a9 00 80 00 00 00 00", "if r9 < r10 goto -0x8000"},
    {"d5 09 03 00 05 00 00 00", "if r9 s<= 0x5 goto +0x3"},
    {"2e 21 fd ff 00 00 00 00", "if w1 > w2 goto -0x3"},
    {"66 01 01 00 01 00 00 00", "if w1 s> 0x1 goto +0x1"},
    {"a6 01 00 80 00 00 00 80", "if w1 < -0x80000000 goto -0x8000"},
    {"ce 05 64 00 00 00 00 00", "if w5 s< w0 goto +0x64"},
    {"85 10 00 00 9c ff ff ff", "call -0x64"},
    {"6b a9 03 00 00 00 00 00", "*(u16 *)(r9 + 0x3) = r10"},
    {"79 9a ff ff 00 00 00 00", "r10 = *(u64 *)(r9 - 0x1)"},
    {"db 21 f8 ff 50 00 00 00", "lock *(u64 *)(r1 - 0x8) &= r2"},
    {"db 05 00 80 40 00 00 00", "lock *(u64 *)(r5 - 0x8000) |= r0"},
    {"28 00 00 00 17 00 00 00", "r0 = *(u16 *)skb[0x17]"},
    {"18 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "r0 = 0x0 ll"},
    {"18 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00", "r0 = 0x1 ll"},
    {"18 00 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff", "r0 = -0x1 ll"},
    {"18 00 00 00 34 12 00 00 00 00 00 00 00 00 00 00", "r0 = 0x1234 ll"},
};

} // namespace

TEST_CASE("llvm-objdump --print-imm-hex text assembles") {
    for (const Row& row : kHexImmRows) {
        CAPTURE(std::string(row.text));
        CHECK(ok(row.text) == test_hex::insns(row.hex));
    }
}

TEST_CASE("liberal spellings") {
    CHECK(dis("r1+=5\nr1=*(u32*)(r2+4)\n*(u64*)(r10-8)=r1\nif r1>5 goto+3") ==
          "r1 += 5\nr1 = *(u32 *)(r2 + 4)\n*(u64 *)(r10 - 8) = r1\nif r1 > 5 goto +3\n");
    CHECK(dis("r1 += 0x10\nr1 += -0x8\nr1 += 16\nr1 += - 8\nr1 = +7") ==
          "r1 += 16\nr1 += -8\nr1 += 16\nr1 += -8\nr1 = 7\n");
    // Memory operations say their size, so wN and rN name the same register there.
    CHECK(dis("w1 = *(u8 *)(r2 - 0x8)\n*(u32 *)(r10 - 4) = w1\nlock *(u32 *)(r1 + 0) += w2\n"
              "r2 = atomic_fetch_add((u32 *)(r1 + 0), r2)\nr1 = *(u16 *)(r2)") ==
          "r1 = *(u8 *)(r2 - 8)\n*(u32 *)(r10 - 4) = r1\nlock *(u32 *)(r1 + 0) += r2\n"
          "w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)\nr1 = *(u16 *)(r2 + 0)\n");
    // 32-bit operations see the same bits either way.
    CHECK(dis("w1 = 0xffffffff\nif w1 > 4294967295 goto +0\n*(u32 *)(r1 + 0) = 0x80000000") ==
          "w1 = -1\nif w1 > -1 goto +0\n*(u32 *)(r1 + 0) = -2147483648\n");
    CHECK(dis("r0 = 0xffffffffffffffff ll\nr0 = 0x8000000000000000 ll\nr0 = -0x8000000000000000 ll") ==
          "r0 = -1 ll\nr0 = -9223372036854775808 ll\nr0 = -9223372036854775808 ll\n");
    // Pseudo lddw: "ll" may be left out, and llvm-objdump 14's ld_pseudo is understood.
    CHECK(dis("r1 = map_fd(3)\nr2 = map_value(1, -4)\nld_pseudo r1, 2, 3\nld_pseudo r9, 5, 0") ==
          "r1 = map_fd(3) ll\nr2 = map_value(1, -4) ll\nr1 = map_value(3, 0) ll\nr9 = map_idx(0) ll\n");
    CHECK(dis("r0 = *(u16 *)skb[r1 + 0x2]\nr0 = *(u32 *)skb[r7]\nr0 = *(u8 *)skb[0x17]") ==
          "r0 = *(u16 *)skb[r1 + 2]\nr0 = *(u32 *)skb[r7]\nr0 = *(u8 *)skb[23]\n");
    CHECK(dis("goto +3 <LBB0_2>\nif r1 < r2 goto -1 <.text+0x20>\ngotol +0x10") ==
          "goto +3\nif r1 < r2 goto -1\ngotol +16\n");
}

TEST_CASE("calls: helper ids, helper names, local calls") {
    CHECK(dis("call 1\ncall bpf_map_lookup_elem\ncall bpf_map_lookup_elem#1\ncall bpf_tail_call") ==
          "call 1\ncall 1\ncall 1\ncall 12\n");
    // call -N is a local call (clang leaves -1 there); pc+N is the kernel's spelling of one.
    CHECK(ok("call -1") == std::vector<Insn>{{0x85, 0, 1, 0, -1}});
    CHECK(ok("call pc+4\ncall pc-2") == std::vector<Insn>{{0x85, 0, 1, 0, 4}, {0x85, 0, 1, 0, -2}});
    CHECK(ok("call helper(-2)\ncall kfunc(77)") ==
          std::vector<Insn>{{0x85, 0, 0, 0, -2}, {0x85, 0, 2, 0, 77}});
    CHECK(ok("callx r3") == std::vector<Insn>{{0x8d, 3, 0, 0, 0}});
    // A helper-name comment from DisasmOptions::helper_names is only a comment.
    CHECK(ok("call 1 ; bpf_map_lookup_elem") == std::vector<Insn>{{0x85, 0, 0, 0, 1}});
}

TEST_CASE("labels") {
    const char* prog = R"(
start:
    r0 = 0
loop:   r0 += 1
    if r0 < 10 goto loop
    r1 = 0x123456789 ll        ; two slots
    if w0 != 0 goto done <done>
    gotol start
    call fn
done:
    exit
fn:
    r0 = 5
    exit
)";
    CHECK(dis(prog) == "r0 = 0\n"
                       "r0 += 1\n"
                       "if r0 < 10 goto -2\n"
                       "r1 = 4886718345 ll\n"
                       "if w0 != 0 goto +2\n"
                       "gotol -7\n"
                       "call pc+1\n"
                       "exit\n"
                       "r0 = 5\n"
                       "exit\n");
    // llvm-objdump symbol headers define labels too.
    CHECK(dis("0000000000000000 <f>:\n  0:\tr0 = 1\n0000000000000008 <LBB0_1>:\n  1:\tgoto LBB0_1") ==
          "r0 = 1\ngoto -1\n");
    // A label wins over a helper of the same name.
    CHECK(dis("call bpf_map_lookup_elem\nbpf_map_lookup_elem: exit") == "call pc+0\nexit\n");
}

TEST_CASE("comments, headers, index and byte columns are skipped") {
    const char* text = "\n"
                       "x.o:\tfile format elf64-bpf\n"
                       "\n"
                       "Disassembly of section xdp:\n"
                       "# a comment\n"
                       "// another\n"
                       "0000000000000000 <xdp_prog>:\n"
                       "; int x = 1;  (llvm-objdump -S)\n"
                       "       0:\tb7 00 00 00 01 00 00 00\tr0 = 1 # trailing\n"
                       "       1:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0 ll\n"
                       "\t\t0000000000000008:  R_BPF_64_64\tmy_map\n"
                       "       3:\tr0 = 2 // trailing\n"
                       "b7 00 00 00 03 00 00 00\n"
                       "       4:\t95 00 00 00 00 00 00 00\texit\r\n";
    CHECK(dis(text) == "r0 = 1\nr1 = 0 ll\nr0 = 2\nr0 = 3\nexit\n");
}

TEST_CASE("the byte column settles what llvm-objdump 14 could not print") {
    // <unknown> (and this disassembler's <invalid ...>) take the bytes as they are.
    CHECK(ok("  18:\tc3 31 00 00 40 00 00 00\t<unknown>") == std::vector<Insn>{{0xc3, 1, 3, 0, 0x40}});
    CHECK(ok("07 31 00 00 05 00 00 00\t<invalid 0x07: dst=1 src=3 off=0 imm=5>") ==
          std::vector<Insn>{{0x07, 1, 3, 0, 5}});
    // objdump 14 prints the 32-bit fetch-add as a plain lock add, ld_pseudo without its
    // second slot and ld_ind without its offset: the bytes carry what the text lost.
    CHECK(ok("c3 21 00 00 01 00 00 00\tlock *(u32 *)(r1 + 0) += r2") ==
          std::vector<Insn>{{0xc3, 1, 2, 0, 1}});
    CHECK(ok("18 21 00 00 03 00 00 00 00 00 00 00 10 00 00 00\tld_pseudo\tr1, 2, 3") ==
          std::vector<Insn>{{0x18, 1, 2, 0, 3}, {0, 0, 0, 0, 16}});
    CHECK(ok("48 10 00 00 02 00 00 00\tr0 = *(u16 *)skb[r1]") == std::vector<Insn>{{0x48, 0, 1, 0, 2}});
    // objdump 14 reads callx's register from imm and prints every call as "call N".
    CHECK(ok("8d 03 00 00 00 00 00 00\tcallx r0") == std::vector<Insn>{{0x8d, 3, 0, 0, 0}});
    CHECK(ok("8d 00 00 00 03 00 00 00\tcallx r3") == std::vector<Insn>{{0x8d, 0, 0, 0, 3}});
    CHECK(ok("85 10 00 00 05 00 00 00\tcall 5") == std::vector<Insn>{{0x85, 0, 1, 0, 5}});
    CHECK(ok("85 20 00 00 05 00 00 00\tcall 5") == std::vector<Insn>{{0x85, 0, 2, 0, 5}});
    // Otherwise the text wins, so an edited line means what it now says.
    CHECK(ok("b7 00 00 00 01 00 00 00\tr0 = 2") == std::vector<Insn>{{0xb7, 0, 0, 0, 2}});
}

TEST_CASE("parse errors name the line and the text") {
    CHECK(err("r1 =+ 2") == "line 1: unknown instruction \"r1 =+ 2\": unexpected \"=+\"");
    CHECK(err("exit\n\nfoo r1") == "line 3: unknown instruction \"foo r1\"");
    CHECK(err("r1 = @") == "line 1: unknown instruction \"r1 = @\": unexpected \"@\"");
    CHECK(
        err("r0 = 0\nr1 = 4294967296") ==
        "line 2: immediate 4294967296 out of range in \"r1 = 4294967296\": expected -2147483648..2147483647");
    CHECK(
        err("w1 = 4294967296") ==
        "line 1: immediate 4294967296 out of range in \"w1 = 4294967296\": expected -2147483648..4294967295");
    CHECK(
        err("call 0x80000000") ==
        "line 1: immediate 0x80000000 out of range in \"call 0x80000000\": expected -2147483648..2147483647");
    CHECK(err("r11 = 1") == "line 1: register r11 out of range in \"r11 = 1\": expected r0..r10");
    CHECK(err("w1 += w12") == "line 1: register w12 out of range in \"w1 += w12\": expected r0..r10");
    CHECK(err("r1 += w2") == "line 1: unknown instruction \"r1 += w2\"");
    CHECK(err("goto +40000") ==
          "line 1: jump offset +40000 out of range in \"goto +40000\": expected -32768..32767");
    CHECK(err("r1 = *(u32 *)(r2 - 32769)") ==
          "line 1: offset -32769 out of range in \"r1 = *(u32 *)(r2 - 32769)\": expected -32768..32767");
    CHECK(err("r0 = 18446744073709551616 ll") == "line 1: number 18446744073709551616 out of range in \"r0 = "
                                                 "18446744073709551616 ll\": expected at most 64 bits");
    CHECK(err("r0 = -0x8000000000000001 ll") ==
          "line 1: number -0x8000000000000001 out of range in \"r0 = -0x8000000000000001 ll\": "
          "expected -9223372036854775808..18446744073709551615");
    CHECK(err("r1 = 0xZZ") ==
          "line 1: bad number \"0xZZ\" in \"r1 = 0xZZ\": expected decimal digits or 0x and hex digits");
    CHECK(err("r1 = -r2") == "line 1: r2 must be the same register as r1 in \"r1 = -r2\"");
    CHECK(err("exit 5") == "line 1: unexpected \"5\" at the end of \"exit 5\"");
    CHECK(err("goto foo") == "line 1: undefined label \"foo\" in \"goto foo\"");
    CHECK(err("l: exit\nl: exit") == "line 2: label \"l\" defined twice (first on line 1)");
    CHECK(err("call foo") == "line 1: unknown helper or label \"foo\" in \"call foo\"");
    CHECK(err("call bpf_map_lookup_elem#2") ==
          "line 1: helper bpf_map_lookup_elem is #1, not #2 in \"call bpf_map_lookup_elem#2\"");
    CHECK(err("  7:\t<unknown>") == "line 1: unknown instruction \"<unknown>\"");
    std::string far = "goto end\n";
    for (int i = 0; i < 40000; ++i)
        far += "r0 = 0\n";
    far += "end: exit";
    CHECK(err(far) == "line 1: jump to \"end\" in \"goto end\" is 40000 slots away: expected -32768..32767");
}

TEST_CASE("hints say what was expected") {
    auto r = bpfplay::assemble("r1 = 4294967296");
    CHECK(r.error().hint == "A 64-bit constant needs lddw: \"r1 = 4294967296 ll\".");
    r = bpfplay::assemble("lock *(u64 *)(r1 + 0) -= r2");
    CHECK(r.error().what == "unknown instruction \"lock *(u64 *)(r1 + 0) -= r2\"");
    CHECK(r.error().hint == "The closest form is \"lock *(u64 *)(rN + N) += rN\".");
    CHECK(r.error().to_string() == "line 1: unknown instruction \"lock *(u64 *)(r1 + 0) -= r2\". "
                                   "The closest form is \"lock *(u64 *)(rN + N) += rN\".");
}

TEST_CASE("empty input is an empty program") {
    CHECK(ok("").empty());
    CHECK(ok("\n\n; nothing\n").empty());
}
