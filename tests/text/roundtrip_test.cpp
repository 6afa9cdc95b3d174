// assemble(disassemble(p)) == p for every valid instruction, with validity judged by an
// oracle written here from RFC 9669 (plus the kernel's pseudo sources), independently of the
// syntax table: an instruction the table forgot would print as "<invalid ...>" and fail.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/text/asm.hpp"
#include "core/text/disasm.hpp"

using bpfplay::Insn;

namespace {

bool valid_alu(const Insn& a) {
    const uint8_t code = a.opcode & 0xf0, cls = a.opcode & 7;
    const bool x = a.opcode & 8, wide = cls == 7;
    if (a.dst > 10 || code >= 0xe0) return false;
    if (code == 0xd0)
        return !(wide && x) && a.src == 0 && a.off == 0 && (a.imm == 16 || a.imm == 32 || a.imm == 64);
    if (code == 0x80) return !x && a.src == 0 && a.off == 0 && a.imm == 0;
    bool off_ok = a.off == 0;
    if (code == 0x30 || code == 0x90) off_ok = a.off == 0 || a.off == 1;
    if (code == 0xb0 && x) off_ok = a.off == 0 || a.off == 8 || a.off == 16 || (wide && a.off == 32);
    if (!off_ok) return false;
    return x ? a.imm == 0 && a.src <= 10 : a.src == 0;
}

bool valid_jmp(const Insn& a) {
    const uint8_t code = a.opcode & 0xf0;
    const bool x = a.opcode & 8, j32 = (a.opcode & 7) == 6;
    switch (code) {
    case 0x00:
        if (x) return false;
        return j32 ? a.dst == 0 && a.src == 0 && a.off == 0 : a.dst == 0 && a.src == 0 && a.imm == 0;
    case 0x80:
        if (j32 || a.off != 0) return false;
        if (!x) return a.dst == 0 && a.src <= 2;
        return a.src == 0 && ((a.imm == 0 && a.dst <= 10) || (a.dst == 0 && a.imm >= 0 && a.imm <= 10));
    case 0x90: return !j32 && !x && a.dst == 0 && a.src == 0 && a.off == 0 && a.imm == 0;
    case 0xe0:
    case 0xf0: return false;
    default: return a.dst <= 10 && (x ? a.imm == 0 && a.src <= 10 : a.src == 0);
    }
}

bool valid_mem(const Insn& a, const Insn* b) {
    const uint8_t cls = a.opcode & 7, size = a.opcode & 0x18, mode = a.opcode & 0xe0;
    if (a.dst > 10 || a.src > 10) return false;
    switch (cls) {
    case 0:
        if (a.opcode == 0x18) {
            if (!b || b->opcode || b->dst || b->src || b->off || a.off || a.src > 6) return false;
            return b->imm == 0 || a.src == 0 || a.src == 2 || a.src == 3 || a.src == 6;
        }
        if (size == 0x18 || a.dst != 0 || a.off != 0) return false;
        if (mode == 0x20) return a.src == 0;
        return mode == 0x40;
    case 1: return a.imm == 0 && (mode == 0x60 || (mode == 0x80 && size != 0x18));
    case 2: return mode == 0x60 && a.src == 0;
    default:
        if (mode == 0x60) return a.imm == 0;
        if (mode != 0xc0 || (size != 0x00 && size != 0x18)) return false;
        for (int32_t imm : {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1})
            if (a.imm == imm) return true;
        return false;
    }
}

bool valid(const Insn& a, const Insn* b) {
    switch (a.opcode & 7) {
    case 4:
    case 7: return valid_alu(a);
    case 5:
    case 6: return valid_jmp(a);
    default: return valid_mem(a, b);
    }
}

// One instruction (two slots for opcode 0x18) through text and back.
void check_one(const std::vector<Insn>& p, size_t& valid_count) {
    const bool two = p[0].opcode == 0x18 && p.size() == 2;
    const bool ok = valid(p[0], two ? &p[1] : nullptr);
    std::string text = bpfplay::disassemble_one(p, 0);
    INFO(text);
    REQUIRE(ok == (text[0] != '<'));
    auto r = bpfplay::assemble(text);
    REQUIRE(ok == r.ok());
    if (!ok) {
        CHECK(r.error().kind == bpfplay::ErrorKind::Parse);
        return;
    }
    std::vector<Insn> want = p;
    // The older callx encoding (register in imm) reads back in the current one.
    if (want[0].opcode == 0x8d && want[0].dst == 0) want[0] = Insn{0x8d, uint8_t(want[0].imm), 0, 0, 0};
    REQUIRE(*r == want);
    ++valid_count;
}

} // namespace

TEST_CASE("every valid encoding survives disassembly and assembly") {
    const uint8_t regs[] = {0, 1, 10, 11, 15};
    const uint8_t srcs[] = {0, 1, 2, 3, 6, 7, 10, 11};
    const int16_t offs[] = {0, 1, -1, 8, 16, 32, 0x7fff, -0x8000};
    const int32_t imms[] = {0, 1, -1, 5, 16, 32, 64, 0x41, 0x50, 0xa1, 0xe1, 0xf1, 0x7fffffff, INT32_MIN};
    const int32_t imm2s[] = {0, 7, -1};
    size_t valid_count = 0;
    for (int opc = 0; opc < 256; ++opc)
        for (uint8_t dst : regs)
            for (uint8_t src : srcs)
                for (int16_t off : offs)
                    for (int32_t imm : imms) {
                        Insn a{uint8_t(opc), dst, src, off, imm};
                        if (opc != 0x18) {
                            check_one({a}, valid_count);
                            continue;
                        }
                        for (int32_t imm2 : imm2s)
                            check_one({a, Insn{0, 0, 0, 0, imm2}}, valid_count);
                        check_one({a, Insn{0x07, 0, 0, 0, 0}}, valid_count);
                        check_one({a}, valid_count);
                    }
    CHECK(valid_count > 15000);
    MESSAGE("valid encodings round-tripped: ", valid_count);
}

TEST_CASE("every atomic operation and every lddw pseudo source") {
    size_t n = 0;
    for (int32_t imm = -1; imm < 0x200; ++imm)
        for (uint8_t opc : {0xc3, 0xdb})
            check_one({Insn{opc, 3, 4, -16, imm}}, n);
    CHECK(n == 20);
    for (uint8_t src = 0; src < 16; ++src)
        for (int32_t imm2 : {0, 16, INT32_MIN})
            check_one({Insn{0x18, 9, src, 0, -7}, Insn{0, 0, 0, 0, imm2}}, n);
    CHECK(n == 20 + 3 * 4 + 3); // src 0, 2, 3, 6 take any second imm; src 1, 4, 5 only 0
}

TEST_CASE("random instructions never crash and round-trip when valid") {
    std::mt19937_64 rng(12345);
    size_t n = 0;
    for (int i = 0; i < 200000; ++i) {
        uint64_t v = rng();
        Insn a{uint8_t(v), uint8_t((v >> 8) & 15), uint8_t((v >> 12) & 15), int16_t(v >> 16),
               int32_t(v >> 32)};
        // Bias towards small fields so that more of the samples are valid.
        if (i & 1) a.dst %= 11, a.src %= 11, a.off = int16_t(a.off % 40), a.imm %= (i & 2 ? 0x100 : 70);
        std::vector<Insn> p{a};
        if (a.opcode == 0x18 && (i & 4)) p.push_back(Insn{0, 0, 0, 0, int32_t(rng())});
        check_one(p, n);
    }
    CHECK(n > 1000);
}

TEST_CASE("hex bytes of no instruction: named '<unknown ...>', they come back through the byte column") {
    // Found by fuzz_asm: an ST opcode in ABS mode read from hex bytes.
    auto insns = bpfplay::assemble("32 52 32 32 52 32 52 52");
    REQUIRE(insns.ok());
    CHECK(bpfplay::disassemble(*insns) == "<unknown opcode 0x32>\n");
    CHECK_FALSE(bpfplay::assemble(bpfplay::disassemble(*insns)).ok());  // no name to read back, as disasm.hpp says
    bpfplay::DisasmOptions bytes;
    bytes.show_index = true;
    bytes.show_bytes = true;
    auto again = bpfplay::assemble(bpfplay::disassemble(*insns, bytes));
    REQUIRE(again.ok());
    CHECK(*again == *insns);
}

TEST_CASE("whole programs round-trip through every output option") {
    std::vector<Insn> p = {
        {0xb7, 1, 0, 0, -8}, {0x18, 2, 0, 0, 1},  {0, 0, 0, 0, -1},      {0x18, 3, 1, 0, 4},
        {0, 0, 0, 0, 0},     {0x85, 0, 0, 0, 1},  {0x85, 0, 1, 0, -1},   {0x85, 0, 1, 0, 2},
        {0x2d, 1, 2, -4, 0}, {0x06, 0, 0, 0, -9}, {0xc3, 1, 2, 0, 0x01}, {0x48, 0, 1, 0, 14},
        {0xd7, 4, 0, 0, 32}, {0x8d, 5, 0, 0, 0},  {0x95, 0, 0, 0, 0},
    };
    for (int mask = 0; mask < 8; ++mask) {
        bpfplay::DisasmOptions opt;
        opt.show_index = mask & 1;
        opt.show_bytes = mask & 2;
        opt.helper_names = mask & 4;
        std::string text = bpfplay::disassemble(p, opt);
        INFO(text);
        auto r = bpfplay::assemble(text);
        REQUIRE_MESSAGE(r.ok(), r.error().to_string());
        CHECK(*r == p);
    }
}
