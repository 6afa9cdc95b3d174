// bpfvm plugin: the bpf_conformance plugin contract.
#include <doctest/doctest.h>

#include "process.hpp"

using namespace bpfplay::test;

namespace {

// ldxw r0, [r1]; exit -- in the suite's encoding: two spaces after every byte.
const char* const kLoadWordProgram = "61  10  00  00  00  00  00  00  95  00  00  00  00  00  00  00  \n";

} // namespace

TEST_CASE("the suite's form: memory as the first argument and the program on stdin") {
    auto r = run_bpfvm({"plugin", "78  56  34  12  "}, kLoadWordProgram);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "12345678\n");
    CHECK(r.err == "");
}

TEST_CASE("--program instead of stdin and compact hex and r0 printed without leading zeros") {
    auto r = run_bpfvm({"plugin", "0a000000", "--program", "6110000000000000 9500000000000000"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "a\n");
    // No memory at all: r1 = 0, r2 = 0; r0 = r2.
    r = run_bpfvm({"plugin", "--program", "bf20000000000000 9500000000000000"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "0\n");
}

TEST_CASE("the options uBPF's plugin accepts are accepted") {
    // Older suites pass an empty memory argument and an empty options argument.
    auto r = run_bpfvm({"plugin", "", ""}, "b7 00 00 00 ff ff ff ff 95 00 00 00 00 00 00 00\r\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "ffffffffffffffff\n");
    for (const char* mode : {"--jit", "--interpret"}) {
        r = run_bpfvm({"plugin", "01", mode}, "bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "1\n");
    }
}

TEST_CASE("plugin helpers are callable: gather_bytes and memfrob and unwind") {
    // r1..r5 = 0x11..0x55; call 0; exit
    auto r = run_bpfvm({"plugin"}, "b7 01 00 00 11 00 00 00 b7 02 00 00 22 00 00 00 b7 03 00 00 33 00 00 00 "
                                   "b7 04 00 00 44 00 00 00 b7 05 00 00 55 00 00 00 85 00 00 00 00 00 00 00 "
                                   "95 00 00 00 00 00 00 00\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "1122334455\n");
    // r6 = r1; call 1 (memfrob(mem, len)); r0 = *(u32 *)(r6 + 0); exit
    r = run_bpfvm({"plugin", "01 02 03 04"},
                  "bf 16 00 00 00 00 00 00 85 00 00 00 01 00 00 00 61 60 00 00 00 00 00 00 "
                  "95 00 00 00 00 00 00 00\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "2e29282b\n");
    // r1 = 0; call 5 (unwind); r0 = 1; exit -> the program ends inside the call with r0 = 0.
    r = run_bpfvm({"plugin"}, "b7 01 00 00 00 00 00 00 85 00 00 00 05 00 00 00 b7 00 00 00 01 00 00 00 "
                              "95 00 00 00 00 00 00 00\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "0\n");
}

TEST_CASE("plugin errors: message on stderr and nothing on stdout and exit 1") {
    struct Case {
        std::vector<std::string> args;
        const char* stdin_text;
        const char* err;
    };
    const Case cases[] = {
        {{"plugin", "--frob"}, "", "bpfvm: plugin: invalid argument '--frob'\n"},
        {{"plugin", "01", "02"}, "", "bpfvm: plugin: invalid argument '02'\n"},
        {{"plugin", "--program"}, "", "bpfvm: plugin: --program needs the program as hex bytes\n"},
        {{"plugin", "--elf"},
         "",
         "bpfvm: plugin: --elf: ELF input is not supported by bpfvm's plugin mode\n"},
        {{"plugin"},
         "",
         "bpfvm: plugin: no program: give it as hex bytes on the first line of stdin or in --program\n"},
        {{"plugin"}, "\n", "bpfvm: plugin: the program is empty\n"},
        {{"plugin", "zz"},
         "95 00 00 00 00 00 00 00\n",
         "bpfvm: plugin: memory: hex bytes: 'z' is not a hex digit in \"zz\" (write bytes as pairs of hex "
         "digits, "
         "e.g. \"01 02 ff\" or \"0102ff\")\n"},
        {{"plugin"},
         "95 00 00 0g\n",
         "bpfvm: plugin: program: hex bytes: 'g' is not a hex digit in \"0g\" (write bytes as pairs of hex "
         "digits, "
         "e.g. \"01 02 ff\" or \"0102ff\")\n"},
        {{"plugin"},
         "95 00 00 00\n",
         "bpfvm: the program is 4 bytes long, not a multiple of the 8-byte instruction size\n"},
        {{"plugin"},
         "b7 00 00 00 00 00 00 00\n",
         "bpfvm: insn 0: the program does not end with exit: execution would run past its end. Add an exit "
         "instruction.\n"},
        {{"plugin", "01"},
         "61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00\n",
         "bpfvm: insn 0: 4-byte load at 0x100000000 is outside the 1-byte input memory at 0x100000000: it "
         "covers bytes 0 to 3 of 1\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.stdin_text);
        auto r = run_bpfvm(c.args, c.stdin_text);
        CHECK(r.exit_code == 1);
        CHECK(r.out == "");
        CHECK(r.err == c.err);
    }
}
