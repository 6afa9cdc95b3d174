// Garbage in: the assembler must answer with a value or a Parse error naming a real line,
// never crash or throw. (Also run under -DBPFPLAY_SANITIZE=ON.)
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/text/asm.hpp"
#include "core/text/disasm.hpp"

namespace {

size_t line_count(const std::string& s) {
    return size_t(std::count(s.begin(), s.end(), '\n')) + 1;
}

void check_total(const std::string& text) {
    auto r = bpfplay::assemble(text);
    if (r.ok()) {
        // Whatever was accepted means one thing: printing it (with bytes, which carry what an
        // invalid instruction's text cannot) and reading it again changes nothing.
        bpfplay::DisasmOptions opt;
        opt.show_bytes = true;
        const std::string printed = bpfplay::disassemble(*r, opt);
        auto again = bpfplay::assemble(printed);
        INFO(text, " -> ", printed);
        REQUIRE(again.ok());
        CHECK(*again == *r);
        return;
    }
    REQUIRE(r.error().kind == bpfplay::ErrorKind::Parse);
    REQUIRE(r.error().where.line.has_value());
    CHECK(*r.error().where.line >= 1);
    CHECK(*r.error().where.line <= line_count(text));
    CHECK(!r.error().what.empty());
}

const char* const kPieces[] = {
    "r1",
    "w2",
    "r10",
    "r11",
    "w0",
    "r0",
    "=",
    "+=",
    "-=",
    "s>>=",
    "*",
    "(",
    ")",
    "u32",
    "u64",
    "s8",
    "goto",
    "gotol",
    "if",
    "+",
    "-",
    "0x",
    "0x7fffffff",
    "99999999999999999999",
    "-2147483648",
    "ll",
    "<",
    ">",
    "<=",
    "&",
    "call",
    "callx",
    "exit",
    "#",
    ",",
    "skb",
    "[",
    "]",
    "lock",
    ":",
    "lbl",
    "lbl:",
    "\t",
    " ",
    " ",
    "\n",
    "b7",
    "00",
    "18",
    "ff",
    ";",
    "//",
    "map_fd",
    "map_value",
    "func",
    "pc",
    "atomic_fetch_add",
    "xchg_64",
    "cmpxchg32_32",
    "bswap16",
    "le64",
    "be16",
    "bpf_map_lookup_elem",
    "<unknown>",
    "0000000000000000 <f>:",
    "  12:",
    "ld_pseudo",
    "\r",
    "=+",
    "\xff",
    "\0",
    "{",
    "}",
};

} // namespace

TEST_CASE("random bytes") {
    std::mt19937 rng(1);
    for (int i = 0; i < 20000; ++i) {
        std::string s(rng() % 64, '\0');
        for (char& c : s)
            c = char(rng() % 4 == 0 ? "\n\t :;#+-=()*<>rw0x"[rng() % 18] : rng());
        check_total(s);
    }
}

TEST_CASE("token soup") {
    std::mt19937 rng(2);
    const size_t n = sizeof kPieces / sizeof kPieces[0];
    for (int i = 0; i < 50000; ++i) {
        std::string s;
        for (unsigned k = rng() % 14; k > 0; --k) {
            std::string piece = kPieces[rng() % n];
            if (piece.empty()) piece.push_back('\0');
            s += piece;
            if (rng() % 2) s += ' ';
        }
        check_total(s);
    }
}

TEST_CASE("mutated disassembly") {
    std::mt19937_64 rng(3);
    std::vector<bpfplay::Insn> p;
    for (int i = 0; i < 3000; ++i) {
        uint64_t v = rng();
        p.push_back({uint8_t(v), uint8_t((v >> 8) % 11), uint8_t((v >> 12) % 11), int16_t((v >> 16) % 50),
                     int32_t((v >> 32) % 300)});
    }
    bpfplay::DisasmOptions opt;
    opt.show_index = opt.show_bytes = true;
    const std::string base = bpfplay::disassemble(p, opt) + bpfplay::disassemble(p);
    std::mt19937 r32(4);
    for (int i = 0; i < 3000; ++i) {
        size_t start = r32() % base.size();
        std::string s = base.substr(start, r32() % 300);
        for (int k = int(r32() % 4); k > 0 && !s.empty(); --k) {
            size_t at = r32() % s.size();
            switch (r32() % 3) {
            case 0: s.erase(at, 1); break;
            case 1: s.insert(at, 1, "0123456789abcdefx+-=*()<> \t\nrw#;"[r32() % 33]); break;
            default: s[at] = char(r32()); break;
            }
        }
        check_total(s);
    }
}
