// Whatever the input, bpfvm answers with exit 0 or 1 (2 for a bad command line) and never
// dies on a signal.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "process.hpp"

using namespace bpfplay::test;

namespace {

// Deterministic, so a failure reproduces.
struct Lcg {
    uint64_t state;
    uint8_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return uint8_t(state >> 56);
    }
};

std::string random_bytes(Lcg& rng, size_t n) {
    std::string s(n, '\0');
    for (auto& c : s)
        c = char(rng.next());
    return s;
}

// Random opcodes are mostly invalid; bias toward real ones so some programs get past decode.
std::string random_program(Lcg& rng, size_t insns) {
    static const uint8_t kOpcodes[] = {0x07, 0x0f, 0x17, 0x1f, 0x27, 0x37, 0x3f, 0x47, 0x57, 0x67, 0x77, 0x87,
                                       0x97, 0x9f, 0xa7, 0xb7, 0xbf, 0xc7, 0x04, 0x0c, 0x34, 0x3c, 0x94, 0x9c,
                                       0xb4, 0xbc, 0x05, 0x15, 0x1d, 0x25, 0x55, 0x61, 0x69, 0x71, 0x79, 0x62,
                                       0x63, 0x6b, 0x73, 0x7b, 0x18, 0x85, 0x95, 0xd4, 0xdc, 0xc3, 0xdb};
    std::string s = random_bytes(rng, insns * 8);
    for (size_t k = 0; k < insns; ++k) {
        s[k * 8] = char(kOpcodes[rng.next() % sizeof kOpcodes]);
        s[k * 8 + 1] = char(rng.next() & (rng.next() & 1 ? 0xff : 0x33));
        if (rng.next() & 1) s[k * 8 + 2] = char(rng.next() % 4), s[k * 8 + 3] = 0;
    }
    s.append(std::string("\x95\0\0\0\0\0\0\0", 8));
    return s;
}

// A sanitizer build reports memory errors with exit status 1, which alone looks like a
// clean refusal; its report on stderr gives it away.
bool sanitizer_report(const ProcessResult& r) {
    return r.err.find("Sanitizer") != std::string::npos || r.err.find("runtime error:") != std::string::npos;
}

} // namespace

TEST_CASE("run and disasm and asm survive random bytes and random programs") {
    Lcg rng{20240601};
    for (int round = 0; round < 40; ++round) {
        std::string content =
            round % 3 == 0 ? random_bytes(rng, rng.next() % 64) : random_program(rng, 1 + rng.next() % 12);
        TempFile f(content, ".bin");
        for (const char* command : {"run", "disasm", "asm"}) {
            CAPTURE(round);
            CAPTURE(command);
            std::vector<std::string> args{command, f.path()};
            if (std::string(command) == "run")
                args.insert(args.end(), {"--mem", "00112233445566778899aabbccddeeff", "--budget", "10000"});
            auto r = run_bpfvm(args);
            CHECK((r.exit_code == 0 || r.exit_code == 1));
            CHECK_FALSE(sanitizer_report(r));
            if (r.exit_code == 1) CHECK(r.err.starts_with("bpfvm: "));
        }
    }
}

TEST_CASE("plugin survives random programs") {
    Lcg rng{77};
    for (int round = 0; round < 40; ++round) {
        std::string program = random_program(rng, 1 + rng.next() % 12);
        std::string hex;
        static const char kDigits[] = "0123456789abcdef";
        for (unsigned char c : program)
            hex += {kDigits[c >> 4], kDigits[c & 15], ' ', ' '};
        CAPTURE(hex);
        auto r = run_bpfvm({"plugin", "00  11  22  33  "}, hex + "\n");
        CHECK((r.exit_code == 0 || r.exit_code == 1));
        CHECK_FALSE(sanitizer_report(r));
        if (r.exit_code == 0) CHECK(r.out.back() == '\n');
        if (r.exit_code == 1) CHECK(r.out.empty());
    }
}

TEST_CASE("random text is an assembly error and not a crash") {
    Lcg rng{5};
    const char* fragments[] = {"r0",          "=",    "*(u64 *)(", "r10", "-",  "8",    ")",    "goto",
                               "+",           "if",   ">",         "w1",  "ll", "call", "exit", "0x",
                               "-2147483649", "lock", "\n",        ";",   "<",  ">",    "be16", ":"};
    for (int round = 0; round < 40; ++round) {
        std::string text;
        for (int k = 0; k < 30; ++k)
            text += std::string(fragments[rng.next() % std::size(fragments)]) + " ";
        TempFile f(text, ".s");
        auto r = run_bpfvm({"run", f.path()});
        CAPTURE(text);
        CHECK((r.exit_code == 0 || r.exit_code == 1));
        CHECK_FALSE(sanitizer_report(r));
    }
}

TEST_CASE("run and info survive mutated objects and captures") {
    Lcg rng{31337};
    const std::string objects[] = {read_whole_file(example_object("xdp_drop_port.o")),
                                   read_whole_file(example_object("global_vars.o")),
                                   read_whole_file(example_object("xdp_tail_call.o"))};
    const std::string packet = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f900"
                               "00003e8000000005002ffffdc270000";
    for (int round = 0; round < 60; ++round) {
        std::string object = objects[round % 3];
        REQUIRE(object.size() > 64);
        const int flips = 1 + rng.next() % 8;
        for (int k = 0; k < flips; ++k) {
            // Half the flips land in the first 1 KiB (headers, code), where they matter most.
            size_t at = (rng.next() & 1) ? (size_t(rng.next()) << 2 | rng.next() % 4) % 1024
                                         : (size_t(rng.next()) << 8 | rng.next()) % object.size();
            object[at] = char(rng.next());
        }
        if (round % 10 == 9) object.resize(64 + (size_t(rng.next()) << 4) % (object.size() - 64));
        TempFile f(object, ".o");
        for (const char* command : {"run", "info"}) {
            CAPTURE(round);
            CAPTURE(command);
            std::vector<std::string> args{command, f.path()};
            if (std::string(command) == "run")
                args.insert(args.end(), {"--packet-hex", packet, "--budget", "10000", "--repeat", "2"});
            auto r = run_bpfvm(args);
            CHECK((r.exit_code == 0 || r.exit_code == 1));
            CHECK_FALSE(sanitizer_report(r));
            if (r.exit_code == 1) CHECK(r.err.starts_with("bpfvm: "));
        }
    }
    for (int round = 0; round < 30; ++round) {
        // A valid pcap header (little-endian, Ethernet), then random records.
        std::string capture("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0", 24);
        capture += random_bytes(rng, rng.next() % 128);
        if (round % 2) capture[32] = char(rng.next() % 80), capture[33] = capture[34] = capture[35] = 0;
        TempFile f(capture, ".pcap");
        CAPTURE(round);
        auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", f.path(), "--all-packets"});
        CHECK((r.exit_code == 0 || r.exit_code == 1));
        CHECK_FALSE(sanitizer_report(r));
    }
}

// Input files are refused by their size before they are read: a 1 GB file (sparse here, so the
// test writes nothing) used to be read whole, 3 GB and 34 s later refused. Pipes have no size
// and are cut off at the same limit while reading.
TEST_CASE("bpfvm refuses a file over 64 MiB at once, saying the limit") {
    TempFile f("", ".o");
    std::filesystem::resize_file(f.path(), 1ull << 30);
    const std::string said = "bpfvm: " + f.path() +
                             " is 1073741824 bytes; bpfvm reads input files of up to 67108864 bytes (64 MiB)";
    for (const char* command : {"run", "info", "verify", "disasm"}) {
        CAPTURE(command);
        auto r = run_bpfvm({command, f.path()});
        CHECK(r.exit_code == (std::string(command) == "verify" ? 2 : 1));  // verify: 2 is bad input
        CHECK(r.err.starts_with(said));
        CHECK(r.out.empty());
    }
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet", f.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(" is 1073741824 bytes; bpfvm reads input files of up to 67108864 bytes") != std::string::npos);
    auto stream = run_bpfvm({"disasm", "/dev/zero"});
    CHECK(stream.exit_code == 1);
    CHECK(stream.err.starts_with("bpfvm: /dev/zero is more than 67108864 bytes; bpfvm reads input files"));
}
