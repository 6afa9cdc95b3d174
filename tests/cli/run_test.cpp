// bpfvm run: results, instruction counts, input formats, traces and failures.
#include <doctest/doctest.h>

#include "process.hpp"

using namespace bpfplay::test;

TEST_CASE("run prints r0 in hex and decimal and then the instruction count") {
    auto r = run_bpfvm({"run", example("fib.s")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "r0 = 0x37 (55)\n76 instructions executed\n");
    CHECK(r.err == "");
}

TEST_CASE("the bundled examples compute what their headers promise") {
    struct Case {
        const char* file;
        const char* mem; // nullptr: no --mem
        const char* out;
    };
    const Case cases[] = {
        {"fib.s", "14", "r0 = 0x1a6d (6765)\n147 instructions executed\n"},
        {"fib.s", "00", "r0 = 0x0 (0)\n7 instructions executed\n"},
        {"fnv1a.s", "68656c6c6f", "r0 = 0x4f9f2cab (1335831723)\n36 instructions executed\n"},
        {"fnv1a.s", "68 65 6c 6c 6f", "r0 = 0x4f9f2cab (1335831723)\n36 instructions executed\n"},
        {"fnv1a.s", nullptr, "r0 = 0x811c9dc5 (2166136261)\n6 instructions executed\n"},
        {"bounds.s", "78563412", "r0 = 0x12345678 (305419896)\n4 instructions executed\n"},
        {"bounds.s", "0102", "r0 = 0xffffffff (4294967295)\n3 instructions executed\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.file);
        CAPTURE(c.mem);
        std::vector<std::string> args{"run", example(c.file)};
        if (c.mem) args.insert(args.end(), {"--mem", c.mem});
        auto r = run_bpfvm(args);
        CHECK(r.exit_code == 0);
        CHECK(r.out == c.out);
        CHECK(r.err == "");
    }
}

TEST_CASE("--mem=HEX and a single instruction's count read naturally") {
    TempFile prog("r0 = 5\nexit\n", ".s");
    auto r = run_bpfvm({"run", prog.path(), "--mem=ff"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "r0 = 0x5 (5)\n2 instructions executed\n");
    TempFile one("r0 = 0\nr0 = *(u8 *)(r1 + 9)\nexit\n", ".s");
    r = run_bpfvm({"run", one.path(), "--mem", "00"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.ends_with("\n1 instruction executed\n"));
}

TEST_CASE("r0 is printed as an unsigned 64-bit number") {
    TempFile prog("r0 = -1\nexit\n", ".s");
    auto r = run_bpfvm({"run", prog.path()});
    CHECK(r.out == "r0 = 0xffffffffffffffff (18446744073709551615)\n2 instructions executed\n");
}

TEST_CASE("hex text and raw .bin programs run the same as assembly") {
    // r0 = 42; exit
    const std::string hex = "b7 00 00 00 2a 00 00 00\n95 00 00 00 00 00 00 00\n";
    const std::string bin("\xb7\x00\x00\x00\x2a\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00", 16);
    TempFile hex_file(hex, ".hex");
    TempFile compact_hex_file("b70000002a000000 9500000000000000", ".txt");
    TempFile bin_file(bin, ".bin");
    TempFile bin_no_extension(bin, ".prog"); // NUL bytes say "raw" without the extension
    for (const TempFile* f : {&hex_file, &compact_hex_file, &bin_file, &bin_no_extension}) {
        CAPTURE(f->path());
        auto r = run_bpfvm({"run", f->path()});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "r0 = 0x2a (42)\n2 instructions executed\n");
        CHECK(r.err == "");
    }
}

TEST_CASE("--trace shows each instruction before it runs") {
    auto r = run_bpfvm({"run", example("bounds.s"), "--mem", "0102", "--trace"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "       0:\tw0 = -1\n"
                   "       1:\tif r2 < 4 goto +1\n"
                   "       3:\texit\n"
                   "r0 = 0xffffffff (4294967295)\n"
                   "3 instructions executed\n");
    CHECK(r.err == "");
}

TEST_CASE("stdout and stderr into one file (2>&1): the error comes after the trace printed before it") {
    TempFile oob("r0 = 1\nr0 = *(u32 *)(r1 + 0)\nexit\n", ".s");
    auto r = run_bpfvm_merged({"run", oob.path(), "--mem", "0102", "--trace"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "       0:\tr0 = 1\n"
                   "       1:\tr0 = *(u32 *)(r1 + 0)\n"
                   "bpfvm: insn 1: 4-byte load at 0x100000000 is outside the 2-byte input memory at 0x100000000: it "
                   "covers bytes 0 to 3 of 2\n"
                   "1 instruction executed\n");
}

TEST_CASE("a program the decoder refuses: the error and exit 1 and nothing on stdout") {
    TempFile no_exit("r0 = 1\n", ".s");
    auto r = run_bpfvm({"run", no_exit.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err ==
          "bpfvm: insn 0: the program does not end with exit: execution would run past its end. Add an exit "
          "instruction.\n");
}

TEST_CASE("an assembly error names the line") {
    TempFile bad("r0 = 1\nr0 +== 2\nexit\n", ".s");
    auto r = run_bpfvm({"run", bad.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err == "bpfvm: line 2: unknown instruction \"r0 +== 2\": unexpected \"+==\"\n");
}

TEST_CASE("a run-time fault: the error and the instruction count on stderr and exit 1") {
    TempFile oob("r0 = *(u32 *)(r1 + 0)\nexit\n", ".s");
    auto r = run_bpfvm({"run", oob.path(), "--mem", "0102"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    // The faulting load did not complete, so it is not counted.
    CHECK(r.err == "bpfvm: insn 0: 4-byte load at 0x100000000 is outside the 2-byte input memory at "
                   "0x100000000: it covers "
                   "bytes 0 to 3 of 2\n"
                   "0 instructions executed\n");
}

TEST_CASE("--budget stops a runaway loop") {
    TempFile loop("r0 = 0\nr0 += 1\ngoto -2\nexit\n", ".s");
    auto r = run_bpfvm({"run", loop.path(), "--budget", "100"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(
        r.err ==
        "bpfvm: insn 2: the program ran 100 instructions without exiting (the instruction budget). Is there a "
        "loop that never ends? The budget can be raised.\n"
        "100 instructions executed\n");
}

TEST_CASE("unreadable inputs are reported and not crashed on") {
    auto r = run_bpfvm({"run", "/nonexistent/prog.s"});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "bpfvm: cannot open /nonexistent/prog.s: No such file or directory\n");
    r = run_bpfvm({"run", BPFPLAY_SOURCE_DIR});
    CHECK(r.exit_code == 1);
    CHECK(r.err == std::string("bpfvm: cannot read ") + BPFPLAY_SOURCE_DIR + ": Is a directory\n");
    TempFile empty("", ".s");
    r = run_bpfvm({"run", empty.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "bpfvm: " + empty.path() +
                       " holds no instructions (give assembly text, hex bytes or a raw .bin file)\n");
    TempFile odd_bin(std::string("\x95\x00\x00", 3), ".bin");
    r = run_bpfvm({"run", odd_bin.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "bpfvm: the program is 3 bytes long, not a multiple of the 8-byte instruction size\n");
}

TEST_CASE("bad --mem hex is a parse error with exit 1") {
    TempFile prog("exit\n", ".s");
    auto r = run_bpfvm({"run", prog.path(), "--mem", "0x12"});
    CHECK(r.exit_code == 1);
    CHECK(r.err ==
          "bpfvm: hex bytes: 'x' is not a hex digit in \"0x12\" (write bytes as pairs of hex digits, e.g. "
          "\"01 02 ff\" or \"0102ff\")\n");
    r = run_bpfvm({"run", prog.path(), "--mem", "123"});
    CHECK(r.exit_code == 1);
    CHECK(r.err ==
          "bpfvm: hex bytes: odd number of hex digits in \"123\" (write bytes as pairs of hex digits, e.g. "
          "\"01 02 ff\" or \"0102ff\")\n");
}

TEST_CASE("--plugin-helpers makes the conformance helpers callable from run") {
    TempFile prog("r1 = 17\nr2 = 34\nr3 = 51\nr4 = 68\nr5 = 85\ncall 0\nexit\n", ".s");
    auto r = run_bpfvm({"run", prog.path(), "--plugin-helpers"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "r0 = 0x1122334455 (73588229205)\n7 instructions executed\n");
    r = run_bpfvm({"run", prog.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "bpfvm: insn 5: invalid func unknown#0. No kernel helper has id 0: they are numbered 1 to 211. "
                   "Check the call's imm.\n");
}

TEST_CASE("--time-limit stops a run the budget would let go on, and says so") {
    TempFile loop("r0 = 0\nr0 += 1\ngoto -2\nexit\n", ".s");
    auto r = run_bpfvm({"run", loop.path(), "--budget", "1000000000", "--time-limit", "0.05"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    // Where the loop was when the clock was read depends on the machine's speed; the rest does not.
    CHECK(r.err.starts_with("bpfvm: insn "));
    CHECK(r.err.find(": the run was stopped when its wall-clock time limit of 0.05 s passed, after ") !=
          std::string::npos);
    CHECK(r.err.find(" instructions. Is there a loop that never ends, or a helper called very often? The time "
                     "limit can be raised.\n") != std::string::npos);
    const size_t executed = r.err.rfind('\n', r.err.size() - 2);
    REQUIRE(executed != std::string::npos);
    const std::string count = r.err.substr(executed + 1, r.err.find(' ', executed) - executed - 1);
    CHECK(std::stoull(count) < 1'000'000'000ull);
    CHECK(std::stoull(count) % (uint64_t(1) << 23) == 0);  // stopped between two slices

    for (const char* bad : {"0", "0.0001", "-1", "1.", "abc", "86401", "1.5s"}) {
        r = run_bpfvm({"run", loop.path(), "--time-limit", bad});
        CHECK(r.exit_code == 2);
        CHECK(r.err == std::string("bpfvm: run: --time-limit takes seconds from 0.001 to 86400 (at most three "
                                   "decimals), not '") + bad + "'\nTry 'bpfvm --help'.\n");
    }
}
