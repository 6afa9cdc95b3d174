// Every load-time refusal, with its exact message and instruction index.
#include <doctest/doctest.h>

#include "core/helpers/registry.hpp"
#include "vm/vm_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {
Insn insn(uint8_t opcode, uint8_t dst = 0, uint8_t src = 0, int16_t off = 0, int32_t imm = 0) {
    return Insn{opcode, dst, src, off, imm};
}
const Insn kExit = insn(0x95);
const Insn kMovR0 = insn(0xb7, 0, 0, 0, 0);

Error decode_fail(std::vector<Insn> insns) {
    auto r = decode_insns(std::move(insns));
    REQUIRE_FALSE(r.ok());
    return r.error();
}
Error decode_fail_text(const std::string& text) {
    auto r = decode_text(text);
    REQUIRE_FALSE(r.ok());
    return r.error();
}
}  // namespace

TEST_CASE("an empty program is refused") {
    Error e = decode_fail({});
    CHECK(e.kind == ErrorKind::Decode);
    CHECK(e.what == "the program is empty: it needs at least an exit instruction");
}

TEST_CASE("a program longer than the kernel's 1,000,000 instructions is refused") {
    std::vector<Insn> p(kMaxInsns + 1, kMovR0);
    p.back() = kExit;
    Error e = decode_fail(p);
    CHECK(e.where.pc == 1000000u);
    CHECK(e.what == "the program has 1000001 instructions; the kernel's limit is 1000000");
}

TEST_CASE("a program of exactly 1,000,000 instructions is accepted") {
    std::vector<Insn> p(kMaxInsns, kMovR0);
    p.back() = kExit;
    CHECK(decode_insns(p).ok());
}

TEST_CASE("bytes that are not a multiple of 8 are refused") {
    std::vector<uint8_t> b(12, 0);
    auto r = insns_from_bytes(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().what == "the program is 12 bytes long, not a multiple of the 8-byte instruction size");
}

TEST_CASE("an unknown opcode is named in hex with its index") {
    Error e = decode_fail({kMovR0, insn(0xff), kExit});
    CHECK(e.where.pc == 1u);
    CHECK(e.what == "unknown opcode 0xff");
    CHECK(decode_fail({insn(0x8e), kExit}).what == "unknown opcode 0x8e");
    CHECK(decode_fail({insn(0xe7), kExit}).what == "unknown opcode 0xe7");
    CHECK(decode_fail({insn(0x9d), kExit}).what == "unknown opcode 0x9d");  // exit with X source
    CHECK(decode_fail({insn(0x96), kExit}).what == "unknown opcode 0x96");  // exit in JMP32
    CHECK(decode_fail({insn(0x86), kExit}).what == "unknown opcode 0x86");  // call in JMP32
    CHECK(decode_fail({insn(0xdf, 0, 0, 0, 16), kExit}).what == "unknown opcode 0xdf");
    CHECK(decode_fail({insn(0x99, 0, 1), kExit}).what == "unknown opcode 0x99");  // ldx in MEMSX of 8 bytes
}

TEST_CASE("registers above r10 are refused") {
    Error e = decode_fail({insn(0xb7, 11, 0, 0, 1), kExit});
    CHECK(e.where.pc == 0u);
    CHECK(e.what == "invalid destination register r11: BPF has r0 to r10");
    CHECK(decode_fail({insn(0xbf, 0, 12), kExit}).what == "invalid source register r12: BPF has r0 to r10");
}

TEST_CASE("writing r10 is refused") {
    Error e = decode_fail_text("r10 = 0\nr0 = 0\nexit");
    CHECK(e.where.pc == 0u);
    CHECK(e.what == "the instruction writes r10, the read-only frame pointer");
    CHECK(decode_fail_text("r0 = 0\nr10 = *(u64 *)(r1 + 0)\nexit").where.pc == 1u);
    CHECK(decode_fail_text("r0 = 0\nr10 += 8\nexit").where.pc == 1u);
}

TEST_CASE("a jump past either end is refused") {
    Error e = decode_fail_text("goto +5\nexit");
    CHECK(e.where.pc == 0u);
    CHECK(e.what == "jump target 6 is outside the program (2 insns)");
    CHECK(decode_fail({kMovR0, insn(0x05, 0, 0, -3), kExit}).what == "jump target -1 is outside the program (3 insns)");
    CHECK(decode_fail({kMovR0, insn(0x06, 0, 0, 0, 7), kExit}).what == "jump target 9 is outside the program (3 insns)");
}

TEST_CASE("a jump into the second slot of an lddw is refused") {
    Error e = decode_fail_text("goto +1\nr0 = 0x1122334455667788 ll\nexit");
    CHECK(e.where.pc == 0u);
    CHECK(e.what == "jump into the middle of the lddw at insn 1");
}

TEST_CASE("a program that does not end in exit is refused") {
    Error e = decode_fail_text("r0 = 0\nr0 += 1");
    CHECK(e.where.pc == 1u);
    CHECK(e.what == "the program does not end with exit: execution would run past its end");
}

TEST_CASE("an lddw cut short by the end of the program is refused") {
    Error e = decode_fail({kMovR0, kExit, insn(0x18, 0, 0, 0, 1)});
    CHECK(e.where.pc == 2u);
    CHECK(e.what == "lddw takes two instruction slots, but the program ends after the first");
}

TEST_CASE("the second slot of an lddw must be zero but for imm") {
    Error e = decode_fail({insn(0x18, 0, 0, 0, 1), insn(0x00, 1, 0, 0, 0), kExit});
    CHECK(e.where.pc == 1u);
    CHECK(e.what == "the second slot of the lddw at insn 0 must be zero except its imm field");
}

TEST_CASE("an lddw of a map without a loader is refused") {
    Error e = decode_fail({insn(0x18, 1, 1, 0, 3), insn(0), kMovR0, kExit});
    CHECK(e.what == "lddw refers to a map (pseudo source 1), but no maps were loaded with this program");
}

TEST_CASE("helper calls need a registered helper") {
    Error unknown = decode_fail_text("call 12345\nexit");
    CHECK(unknown.kind == ErrorKind::Verify);
    CHECK(unknown.where.pc == 0u);
    CHECK(unknown.what == "invalid func unknown#12345");
    CHECK(unknown.hint == "No kernel helper has id 12345: they are numbered 1 to 211. Check the call's imm.");
    Error known = decode_fail_text("r0 = 0\ncall 6\nexit");
    CHECK(known.kind == ErrorKind::Helper);
    CHECK(known.where.pc == 1u);
    CHECK(known.what == "bpf_trace_printk#6 is not available here.");
    CHECK(known.hint == "bpfplay does not implement it yet.");
    CHECK(known.to_string() == "insn 1: bpf_trace_printk#6 is not available here. bpfplay does not implement it yet.");
}

TEST_CASE("kfunc calls without an object to name them are refused with a clear message") {
    Error e = decode_fail({insn(0x85, 0, 2, 0, 77), kExit});
    CHECK(e.what == "kfunc call (call by BTF id 77) without an object to name it");
    CHECK(e.kind == ErrorKind::Helper);
}

TEST_CASE("legacy packet loads are refused without a packet context") {
    Error e = decode_fail({insn(0x30, 0, 0, 0, 12), kExit});
    CHECK(e.what == "legacy packet access (ld abs/ind, opcode 0x30) needs a socket-filter packet context, which "
                    "this program does not have");
    CHECK(decode_fail({insn(0x50, 0, 1, 0, 0), kExit}).what.find("opcode 0x50") != std::string::npos);
}

TEST_CASE("reserved fields must be zero") {
    CHECK(decode_fail({insn(0x07, 0, 1, 0, 1), kExit}).what == "opcode 0x07 uses reserved field src (it must be 0)");
    CHECK(decode_fail({insn(0x0f, 0, 1, 0, 1), kExit}).what == "opcode 0x0f uses reserved field imm (it must be 0)");
    CHECK(decode_fail({insn(0x07, 0, 0, 2, 1), kExit}).what == "opcode 0x07 uses reserved field off (it must be 0)");
    CHECK(decode_fail({kMovR0, insn(0x95, 0, 0, 0, 1)}).what == "opcode 0x95 uses reserved field imm (it must be 0)");
    CHECK(decode_fail({insn(0x87, 0, 0, 0, 1), kExit}).what == "opcode 0x87 uses reserved field imm (it must be 0)");
    CHECK(decode_fail({insn(0x61, 0, 1, 0, 1), kExit}).what == "opcode 0x61 uses reserved field imm (it must be 0)");
    CHECK(decode_fail({insn(0x62, 1, 2, 0, 1), kExit}).what == "opcode 0x62 uses reserved field src (it must be 0)");
    CHECK(decode_fail({insn(0x05, 1, 0, 0, 0), kExit}).what == "opcode 0x05 uses reserved field dst (it must be 0)");
    CHECK(decode_fail({insn(0x3f, 0, 1, 2, 0), kExit}).what == "opcode 0x3f uses reserved field off (it must be 0)");
}

TEST_CASE("invalid widths and atomic operations are refused") {
    CHECK(decode_fail({insn(0xd4, 0, 0, 0, 8), kExit}).what == "byte swap width 8 is invalid: it must be 16, 32 or 64");
    CHECK(decode_fail({insn(0xbc, 0, 1, 32), kExit}).what ==
          "sign-extending mov with off 32 is invalid: it must be 8 or 16");
    CHECK(decode_fail({insn(0xbf, 0, 1, 4), kExit}).what ==
          "sign-extending mov with off 4 is invalid: it must be 8, 16 or 32");
    CHECK(decode_fail({insn(0xdb, 10, 1, -8, 0x10), kExit}).what == "unknown atomic operation 0x10");
    CHECK(decode_fail({insn(0xd3, 10, 1, -8, 0), kExit}).what == "unknown opcode 0xd3");  // 16-bit atomic
}

TEST_CASE("a register read before any write is refused at load time") {
    Error e = decode_fail_text("r0 = r3\nexit");
    CHECK(e.kind == ErrorKind::Verify);
    CHECK(e.where.pc == 0u);
    CHECK(e.what == "r3 is read before any instruction writes it (the kernel's verifier says \"R3 !read_ok\")");
    Error r0 = decode_fail_text("exit");
    CHECK(r0.what == "the program exits without setting r0, its return value (the kernel's verifier says \"R0 !read_ok\")");
}

TEST_CASE("after a call r1-r5 hold nothing") {
    auto r = decode_insns({insn(0xb7, 1, 0, 0, 1), insn(0x85, 0, 1, 0, 2), insn(0xbf, 0, 1), kExit,
                           insn(0xb7, 0, 0, 0, 0), kExit});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where.pc == 2u);
    CHECK(r.error().what == "r1 is read before any instruction writes it (the kernel's verifier says \"R1 !read_ok\")");
}

TEST_CASE("a callee sees its caller's r1-r5 but not r6-r9") {
    // main: r6 = 1; r1 = 2; call f; exit   f: r0 = r6; exit
    auto bad = decode_insns({insn(0xb7, 6, 0, 0, 1), insn(0xb7, 1, 0, 0, 2), insn(0x85, 0, 1, 0, 1), kExit,
                             insn(0xbf, 0, 6), kExit});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().where.pc == 4u);
    auto good = decode_insns({insn(0xb7, 6, 0, 0, 1), insn(0xb7, 1, 0, 0, 2), insn(0x85, 0, 1, 0, 1), kExit,
                              insn(0xbf, 0, 1), kExit});
    CHECK(good.ok());
}

TEST_CASE("a helper's arguments must be set") {
    HelperRegistry reg;
    reg.add({2, "bpf_map_update_elem", 4, [](Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t { return 0; }});
    DecodeOptions opt;
    opt.helpers = &reg;
    opt.entry_regs = (1u << 1) | (1u << 10);
    std::vector<Insn> p = {insn(0xb7, 2, 0, 0, 0), insn(0xb7, 3, 0, 0, 0), insn(0x85, 0, 0, 0, 2), kExit};
    auto r = decode(p, opt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where.pc == 2u);
    CHECK(r.error().what == "helper bpf_map_update_elem takes r1, r2, r3, r4 as arguments, but r4 was never set "
                            "(the kernel's verifier says \"R4 !read_ok\")");
}

TEST_CASE("a jump may not leave its function") {
    // main: r1 = 0; call f (insn 4); exit... f jumps back into main.
    Error e = decode_fail({insn(0xb7, 1, 0, 0, 0), insn(0x85, 0, 1, 0, 2), insn(0xb7, 0, 0, 0, 0), kExit,
                           insn(0x05, 0, 0, -3), kExit});
    CHECK(e.where.pc == 4u);
    CHECK(e.what == "jump from insn 4 to insn 2 leaves its function (insns 4 to 5)");
}

TEST_CASE("every function must end in exit or goto") {
    Error e = decode_fail({insn(0xb7, 1, 0, 0, 0), insn(0x85, 0, 1, 0, 1), insn(0xb7, 0, 0, 0, 0),
                           insn(0xb7, 0, 0, 0, 0), kExit});
    CHECK(e.where.pc == 2u);  // the call at 1 targets 3, so function 0 is insns 0 to 2
    CHECK(e.what == "the function starting at insn 0 does not end with exit or goto: execution would fall through");
}

TEST_CASE("a call may not target the middle of an lddw") {
    Error e = decode_fail({insn(0x85, 0, 1, 0, 1), insn(0x18, 0, 0, 0, 1), insn(0), kExit});
    CHECK(e.where.pc == 0u);
    CHECK(e.what == "call into the middle of the lddw at insn 1");
}
