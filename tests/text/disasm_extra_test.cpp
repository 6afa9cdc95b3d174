// Disassembly of the forms llvm-objdump 14 cannot print (ISA v4, jset, mod, store-immediate,
// 32-bit atomics it misprints, lddw pseudo sources, call kinds), of invalid input, and of the
// DisasmOptions. The spellings follow newer LLVM (17+) where it has one.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/text/disasm.hpp"
#include "text/hex.hpp"

namespace {

struct Row {
    const char* hex;
    const char* text;
};

const Row kRows[] = {
    // mod, signed div/mod (off = 1)
    {"97 01 00 00 05 00 00 00", "r1 %= 5"},
    {"9f 21 00 00 00 00 00 00", "r1 %= r2"},
    {"94 01 00 00 fb ff ff ff", "w1 %= -5"},
    {"9c 21 00 00 00 00 00 00", "w1 %= w2"},
    {"3f 21 01 00 00 00 00 00", "r1 s/= r2"},
    {"34 01 01 00 05 00 00 00", "w1 s/= 5"},
    {"37 01 01 00 f9 ff ff ff", "r1 s/= -7"},
    {"9f 21 01 00 00 00 00 00", "r1 s%= r2"},
    {"94 01 01 00 05 00 00 00", "w1 s%= 5"},
    {"9c 21 01 00 00 00 00 00", "w1 s%= w2"},
    // sign-extending moves and loads
    {"bf 21 08 00 00 00 00 00", "r1 = (s8)r2"},
    {"bf 21 10 00 00 00 00 00", "r1 = (s16)r2"},
    {"bf 21 20 00 00 00 00 00", "r1 = (s32)r2"},
    {"bc 21 08 00 00 00 00 00", "w1 = (s8)w2"},
    {"bc 21 10 00 00 00 00 00", "w1 = (s16)w2"},
    {"91 21 00 00 00 00 00 00", "r1 = *(s8 *)(r2 + 0)"},
    {"89 21 fe ff 00 00 00 00", "r1 = *(s16 *)(r2 - 2)"},
    {"81 a1 f8 ff 00 00 00 00", "r1 = *(s32 *)(r10 - 8)"},
    // unconditional byte swap
    {"d7 01 00 00 10 00 00 00", "r1 = bswap16 r1"},
    {"d7 01 00 00 20 00 00 00", "r1 = bswap32 r1"},
    {"d7 09 00 00 40 00 00 00", "r9 = bswap64 r9"},
    // jset
    {"45 01 03 00 05 00 00 00", "if r1 & 5 goto +3"},
    {"4d 21 fd ff 00 00 00 00", "if r1 & r2 goto -3"},
    {"46 01 03 00 ff ff ff ff", "if w1 & -1 goto +3"},
    {"4e 21 03 00 00 00 00 00", "if w1 & w2 goto +3"},
    // long jump and indirect call
    {"06 00 00 00 05 00 00 00", "gotol +5"},
    {"06 00 00 00 00 00 00 80", "gotol -2147483648"},
    {"8d 01 00 00 00 00 00 00", "callx r1"},
    {"8d 0a 00 00 00 00 00 00", "callx r10"},
    {"8d 00 00 00 03 00 00 00", "callx r3"}, // older LLVM: register in imm
    // calls: helper, local (objdump's form for negative offsets, pc+N otherwise), kfunc
    {"85 00 00 00 01 00 00 00", "call 1"},
    {"85 10 00 00 ff ff ff ff", "call -1"},
    {"85 10 00 00 05 00 00 00", "call pc+5"},
    {"85 10 00 00 00 00 00 00", "call pc+0"},
    {"85 00 00 00 fe ff ff ff", "call helper(-2)"},
    {"85 20 00 00 39 30 00 00", "call kfunc(12345)"},
    // store immediate
    {"62 0a fc ff 05 00 00 00", "*(u32 *)(r10 - 4) = 5"},
    {"6a 0a fe ff ff ff 00 00", "*(u16 *)(r10 - 2) = 65535"},
    {"72 01 00 00 fb ff ff ff", "*(u8 *)(r1 + 0) = -5"},
    {"7a 0a f8 ff 00 00 00 80", "*(u64 *)(r10 - 8) = -2147483648"},
    // 32-bit atomics in LLVM's alu32 spelling (objdump 14 misprints or cannot print them)
    {"c3 21 00 00 40 00 00 00", "lock *(u32 *)(r1 + 0) |= w2"},
    {"c3 21 00 00 50 00 00 00", "lock *(u32 *)(r1 + 0) &= w2"},
    {"c3 21 08 00 a0 00 00 00", "lock *(u32 *)(r1 + 8) ^= w2"},
    {"c3 20 00 00 01 00 00 00", "w2 = atomic_fetch_add((u32 *)(r0 + 0), w2)"},
    {"c3 21 f8 ff 41 00 00 00", "w2 = atomic_fetch_or((u32 *)(r1 - 8), w2)"},
    {"c3 21 00 00 51 00 00 00", "w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)"},
    {"c3 21 00 00 a1 00 00 00", "w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)"},
    {"c3 21 00 00 e1 00 00 00", "w2 = xchg32_32(r1 + 0, w2)"},
    {"c3 21 00 00 f1 00 00 00", "w0 = cmpxchg32_32(r1 + 0, w0, w2)"},
    // lddw pseudo sources
    {"18 11 00 00 03 00 00 00 00 00 00 00 00 00 00 00", "r1 = map_fd(3) ll"},
    {"18 21 00 00 03 00 00 00 00 00 00 00 10 00 00 00", "r1 = map_value(3, 16) ll"},
    {"18 31 00 00 7b 00 00 00 00 00 00 00 00 00 00 00", "r1 = btf_id(123, 0) ll"},
    {"18 41 00 00 05 00 00 00 00 00 00 00 00 00 00 00", "r1 = func(+5) ll"},
    {"18 41 00 00 fd ff ff ff 00 00 00 00 00 00 00 00", "r1 = func(-3) ll"},
    {"18 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "r1 = map_idx(0) ll"},
    {"18 61 00 00 00 00 00 00 00 00 00 00 10 00 00 00", "r1 = map_idx_value(0, 16) ll"},
    // legacy packet load with an offset objdump 14 drops
    {"48 10 00 00 02 00 00 00", "r0 = *(u16 *)skb[r1 + 2]"},
    {"50 30 00 00 fe ff ff ff", "r0 = *(u8 *)skb[r3 - 2]"},
    // not instructions
    {"e7 01 00 00 00 00 00 00", "<unknown opcode 0xe7>"},
    {"00 00 00 00 00 00 00 00", "<unknown opcode 0x00>"},
    {"07 31 00 00 05 00 00 00", "<invalid 0x07: dst=1 src=3 off=0 imm=5>"},
    {"b7 0b 00 00 01 00 00 00", "<invalid 0xb7: dst=11 src=0 off=0 imm=1>"},
    {"dc 01 00 00 08 00 00 00", "<invalid 0xdc: dst=1 src=0 off=0 imm=8>"},
    {"db 21 00 00 10 00 00 00", "<invalid 0xdb: dst=1 src=2 off=0 imm=16>"},
    {"95 00 00 00 01 00 00 00", "<invalid 0x95: dst=0 src=0 off=0 imm=1>"},
    {"bf 21 01 00 00 00 00 00", "<invalid 0xbf: dst=1 src=2 off=1 imm=0>"},
    {"18 71 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "<invalid 0x18: dst=1 src=7 off=0 imm=0>"},
    {"18 11 00 00 03 00 00 00 00 00 00 00 01 00 00 00", "<invalid 0x18: dst=1 src=1 off=0 imm=3>"},
    {"18 01 00 00 03 00 00 00 07 00 00 00 00 00 00 00", "<invalid 0x18: dst=1 src=0 off=0 imm=3>"},
    {"18 01 00 00 03 00 00 00", "<truncated lddw>"},
};

std::vector<bpfplay::Insn> insns(const char* hex) {
    return test_hex::insns(hex);
}

} // namespace

TEST_CASE("forms llvm-objdump 14 cannot print use newer LLVM's spelling") {
    for (const Row& row : kRows) {
        CAPTURE(std::string(row.hex));
        size_t slots = 0;
        std::vector<bpfplay::Insn> in = insns(row.hex);
        CHECK(bpfplay::disassemble_one(in, 0, &slots) == std::string(row.text));
        CHECK(slots == in.size());
    }
}

TEST_CASE("helper names are a trailing comment") {
    bpfplay::DisasmOptions opt;
    opt.helper_names = true;
    auto p = insns("85 00 00 00 01 00 00 00 85 00 00 00 0c 00 00 00 85 00 00 00 00 00 00 00 "
                   "85 00 00 00 ff ff 00 00 85 10 00 00 ff ff ff ff 95 00 00 00 00 00 00 00");
    CHECK(bpfplay::disassemble(p, opt) == "call 1 ; bpf_map_lookup_elem\n"
                                          "call 12 ; bpf_tail_call\n"
                                          "call 0\n"
                                          "call 65535\n"
                                          "call -1\n"
                                          "exit\n");
}

TEST_CASE("whole programs: one line per instruction, lddw on one line") {
    auto p = insns("18 01 00 00 ef cd ab 89 00 00 00 00 67 45 23 01 b7 00 00 00 00 00 00 00 "
                   "95 00 00 00 00 00 00 00");
    CHECK(bpfplay::disassemble(p) == "r1 = 81985529216486895 ll\nr0 = 0\nexit\n");
    bpfplay::DisasmOptions opt;
    opt.show_index = opt.show_bytes = true;
    CHECK(bpfplay::disassemble(p, opt) ==
          "       0:\t18 01 00 00 ef cd ab 89 00 00 00 00 67 45 23 01\tr1 = 81985529216486895 ll\n"
          "       2:\tb7 00 00 00 00 00 00 00\tr0 = 0\n"
          "       3:\t95 00 00 00 00 00 00 00\texit\n");
    CHECK(bpfplay::disassemble({}) == "");
}

TEST_CASE("a span ending inside an lddw and indexes past the end") {
    auto p = insns("b7 00 00 00 00 00 00 00 18 01 00 00 01 00 00 00");
    CHECK(bpfplay::disassemble(p) == "r0 = 0\n<truncated lddw>\n");
    size_t slots = 0;
    CHECK(bpfplay::disassemble_one(p, 5, &slots) == "<no instruction>");
    CHECK(slots == 1);
}
