// bpfvm asm and bpfvm disasm.
#include <doctest/doctest.h>

#include "process.hpp"

using namespace bpfplay::test;

namespace {

// examples/asm/fib.s, encoded by hand from RFC 9669.
const char* const kFibHex = "b7 03 00 00 0a 00 00 00\n"
                            "15 02 01 00 00 00 00 00\n"
                            "71 13 00 00 00 00 00 00\n"
                            "b7 00 00 00 00 00 00 00\n"
                            "b7 04 00 00 01 00 00 00\n"
                            "15 03 06 00 00 00 00 00\n"
                            "bf 05 00 00 00 00 00 00\n"
                            "0f 45 00 00 00 00 00 00\n"
                            "bf 40 00 00 00 00 00 00\n"
                            "bf 54 00 00 00 00 00 00\n"
                            "17 03 00 00 01 00 00 00\n"
                            "05 00 f9 ff 00 00 00 00\n"
                            "95 00 00 00 00 00 00 00\n";

} // namespace

TEST_CASE("asm prints one instruction a line as hex bytes") {
    auto r = run_bpfvm({"asm", example("fib.s")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == kFibHex);
    CHECK(r.err == "");
}

TEST_CASE("asm prints an lddw's two slots on one line") {
    TempFile prog("r0 = 0x1122334455667788 ll\nexit\n", ".s");
    auto r = run_bpfvm({"asm", prog.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11\n"
                   "95 00 00 00 00 00 00 00\n");
}

TEST_CASE("asm -o writes raw bytecode that run and disasm read back") {
    TempFile out("", ".bin");
    auto r = run_bpfvm({"asm", example("fib.s"), "-o", out.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "");
    CHECK(r.err == "");
    std::string bytes = read_whole_file(out.path());
    REQUIRE(bytes.size() == 13 * 8);
    CHECK(bytes.substr(0, 8) == std::string("\xb7\x03\x00\x00\x0a\x00\x00\x00", 8));
    r = run_bpfvm({"run", out.path()});
    CHECK(r.out == "r0 = 0x37 (55)\n76 instructions executed\n");
    // The hex printed by asm is itself a program file.
    TempFile hex(kFibHex, ".hex");
    r = run_bpfvm({"asm", hex.path()});
    CHECK(r.out == kFibHex);
}

TEST_CASE("asm -o into a missing directory fails cleanly") {
    auto r = run_bpfvm({"asm", example("fib.s"), "-o", "/nonexistent/dir/out.bin"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err == "bpfvm: cannot write /nonexistent/dir/out.bin: No such file or directory\n");
}

TEST_CASE("disasm prints objdump-style lines with an index column") {
    auto r = run_bpfvm({"disasm", example("fib.s")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "       0:\tr3 = 10\n"
                   "       1:\tif r2 == 0 goto +1\n"
                   "       2:\tr3 = *(u8 *)(r1 + 0)\n"
                   "       3:\tr0 = 0\n"
                   "       4:\tr4 = 1\n"
                   "       5:\tif r3 == 0 goto +6\n"
                   "       6:\tr5 = r0\n"
                   "       7:\tr5 += r4\n"
                   "       8:\tr0 = r4\n"
                   "       9:\tr4 = r5\n"
                   "      10:\tr3 -= 1\n"
                   "      11:\tgoto -7\n"
                   "      12:\texit\n");
    CHECK(r.err == "");
}

TEST_CASE("disasm --bytes adds the instruction bytes") {
    TempFile prog("b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00", ".hex");
    auto r = run_bpfvm({"disasm", prog.path(), "--bytes"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "       0:\tb7 00 00 00 2a 00 00 00\tr0 = 42\n"
                   "       1:\t95 00 00 00 00 00 00 00\texit\n");
}

TEST_CASE("disasm shows programs the VM would refuse") {
    // r0 = 1 with no exit: decode() refuses it, disasm does not need to.
    TempFile prog("b7 00 00 00 01 00 00 00", ".hex");
    auto r = run_bpfvm({"disasm", prog.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "       0:\tr0 = 1\n");
}

TEST_CASE("disasm of an ELF object prints its programs, not the ELF header; --program picks one") {
    auto r = run_bpfvm({"disasm", example_object("bpf2bpf_calls.o")});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out.starts_with("Disassembly of program xdp_bpf2bpf (section \"xdp\"):\n"
                            "<xdp_bpf2bpf>:\n"
                            "       0:\tr5 = *(u32 *)(r1 + 4)\n"));
    CHECK(r.out.find("<invalid") == std::string::npos);
    CHECK(r.out.find("<describe>:\n") != std::string::npos);  // the subprograms, labelled where they start

    r = run_bpfvm({"disasm", example_object("xdp_drop_port.o"), "--program", "xdp_drop_port", "--bytes"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("      51:\t18 22 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr2 = map_value(0, 0) ll\n") !=
          std::string::npos);
    CHECK(r.out.ends_with("      57:\t95 00 00 00 00 00 00 00\texit\n"));

    r = run_bpfvm({"disasm", example_object("xdp_drop_port.o"), "--program", "nope"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err == "bpfvm: no program \"nope\" in " + example_object("xdp_drop_port.o") + ". Its programs: xdp_drop_port.\n");

    r = run_bpfvm({"disasm", example("fib.s"), "--program", "x"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.starts_with("bpfvm: disasm: --program chooses a program of an ELF object, and "));
}
