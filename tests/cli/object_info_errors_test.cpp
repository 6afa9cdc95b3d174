// bpfvm info, and the errors of bpfvm run prog.o: each one line on stderr with exit 1 (bad
// input) or 2 (bad command line).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

TEST_CASE("info lists an object's programs and maps") {
    auto r = run_bpfvm({"info", example_object("xdp_tail_call.o")});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    const size_t sections = r.out.find("\nsections (27):\n");
    REQUIRE(sections != std::string::npos);
    CHECK(r.out.substr(0, sections + 1) ==
          "object \"xdp_tail_call\"\n"
          "license: \"GPL\"\n"
          "BTF: 39 types, with func/line info\n"
          "\n"
          "programs (4):\n"
          "  0: handle_tcp  section \"xdp\"  type xdp  12 insns  runnable\n"
          "  1: handle_udp  section \"xdp\"  type xdp  12 insns  runnable\n"
          "  2: handle_icmp  section \"xdp\"  type xdp  93 insns  runnable\n"
          "  3: xdp_dispatcher  section \"xdp\"  type xdp  26 insns  runnable\n"
          "\n"
          "maps (2):\n"
          "  0: jmp_table  prog_array  key 4B  value 4B  max_entries 256  from .maps\n"
          "       [1] = handle_icmp\n"
          "       [6] = handle_tcp\n"
          "       [17] = handle_udp\n"
          "  1: hits  array  key 4B  value 8B  max_entries 4  from .maps\n"
          "\n");
    CHECK(r.out.find("  [ 3] xdp                      PROGBITS     AX  size 0x478    code (programs)\n") !=
          std::string::npos);
}

TEST_CASE("info on global data shows the frozen .rodata map") {
    auto r = run_bpfvm({"info", example_object("xdp_drop_port.o")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with(
        "object \"xdp_drop_port\"\nlicense: \"GPL\"\nBTF: 18 types, with func/line info\n\n"
        "programs (1):\n  0: xdp_drop_port  section \"xdp\"  type xdp  58 insns  runnable\n\n"
        "maps (1):\n  0: xdp_drop.rodata  array  key 4B  value 2B  max_entries 1  flags 0x480 "
        "(rdonly_prog,mmapable)  from .rodata  frozen\n\nsections (26):\n"));
}

TEST_CASE("info on an object with a syscall program lists the fds libbpf's load gives its objects") {
    auto r = run_bpfvm({"info", example_object("syscall_maps.o")});
    CHECK(r.exit_code == 0);
    // 3 is the BTF; slots' inner map template holds 4 while slots is created (5), then
    // .rodata.str1.1 gets 4: the numbers kernel_run's process sees (examples/cases).
    CHECK(r.out.ends_with("\nfds (as libbpf's load numbers them; a syscall program is handed them in its "
                          "context):\n"
                          "  3: the object's BTF\n"
                          "  4: map .rodata.str1.1\n"
                          "  5: map slots\n"
                          "  6: program syscall_maps\n"));
    // Objects without one do not list them.
    CHECK(run_bpfvm({"info", example_object("xdp_drop_port.o")}).out.find("fds (") == std::string::npos);
}

TEST_CASE("info --json") {
    auto r = run_bpfvm({"info", example_object("xdp_tail_call.o"), "--json"});
    CHECK(r.exit_code == 0);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK(j->get("object").as_string() == "xdp_tail_call");
    CHECK(j->get("license").as_string() == "GPL");
    REQUIRE(j->get("programs").size() == 4);
    CHECK(j->get("programs").at(3)->get("name").as_string() == "xdp_dispatcher");
    CHECK(j->get("programs").at(3)->get("type").as_string() == "xdp");
    CHECK(j->get("programs").at(3)->get("insns").as_uint64() == 26u);
    REQUIRE(j->get("maps").size() == 2);
    CHECK(j->get("maps").at(0)->get("type").as_string() == "prog_array");
    CHECK(j->get("maps").at(1)->get("value_size").as_uint64() == 8u);
    CHECK(j->get("sections").size() == 27);
    CHECK(j->get("loads").as_bool());
    CHECK_FALSE(j->contains("error"));
    CHECK(j->get("entry_program").as_string() == "xdp_dispatcher");
    CHECK(j->get("programs").at(0)->get("runnable").as_bool());
    CHECK(j->get("programs").at(0)->get("status").as_string() == "runnable");
    CHECK(j->get("maps").at(0)->get("created").as_bool());
}

TEST_CASE("object errors: missing files and files that are not objects") {
    const std::string fib = example("fib.s");
    struct Case {
        std::vector<std::string> args;
        std::string err;
    };
    const std::string truncated_elf = std::string("\x7f"
                                                  "ELF",
                                                  4) +
                                      "garbage";
    TempFile bad_elf(truncated_elf, ".o");
    const Case cases[] = {
        {{"run", "/nonexistent/prog.o", "--packet-hex", "00"},
         "cannot open /nonexistent/prog.o: No such file or directory"},
        {{"info", "/nonexistent/prog.o"}, "cannot open /nonexistent/prog.o: No such file or directory"},
        {{"run", fib, "--packet-hex", "00"},
         "run: --packet-hex needs an ELF object, and " + fib +
             " is not one (compile one with clang -O2 -g -target "
             "bpf -c prog.c)"},
        {{"run", "--json", fib},
         "run: --json needs an ELF object, and " + fib +
             " is not one (compile one with clang -O2 -g -target bpf -c "
             "prog.c)"},
        {{"info", fib},
         "info: " + fib +
             " is not an ELF object (info describes compiled BPF objects: clang -O2 -g -target bpf -c "
             "prog.c)"},
        {{"run", bad_elf.path()},
         bad_elf.path() + ": the file is 11 bytes, too short for the 64-byte ELF header: it is truncated"},
        {{"info", bad_elf.path()},
         bad_elf.path() + ": the file is 11 bytes, too short for the 64-byte ELF header: it is truncated"},
        {{"run", example_object("xdp_drop_port.o"), "--program", "nope"},
         "no program \"nope\" in " + example_object("xdp_drop_port.o") + "; its programs: xdp_drop_port"},
        {{"run", example_object("xdp_drop_port.o"), "--packet-hex", "02 00 0g"},
         "--packet-hex: 'g' at character 8 is not a hex digit (write bytes as pairs of hex digits, e.g. \"02 "
         "00 00 00 "
         "00 02\" or \"020000000002\")"},
        {{"run", example_object("xdp_drop_port.o"), "--packet-hex", "02 00 0"},
         "--packet-hex: odd number of hex digits (5): the last byte has only one digit (write bytes as pairs "
         "of hex "
         "digits, e.g. \"02 00 00 00 00 02\" or \"020000000002\")"},
        {{"run", example_object("xdp_drop_port.o"), "--ctx", "zz"},
         "--ctx: 'z' at character 1 is not a hex digit (write bytes as pairs of hex digits, e.g. \"02 00 00 "
         "00 00 02\" "
         "or \"020000000002\")"},
        {{"run", example_object("xdp_drop_port.o"), "--packet", "/nonexistent/p.hex"},
         "cannot open /nonexistent/p.hex: No such file or directory"},
        {{"run", example_object("xdp_drop_port.o"), "--map-init", "/nonexistent/m.json"},
         "cannot open /nonexistent/m.json: No such file or directory"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.err);
        auto r = run_bpfvm(c.args);
        CHECK(r.exit_code == 1);
        CHECK(r.out == "");
        CHECK(r.err == "bpfvm: " + c.err + "\n");
    }
}

TEST_CASE("a hex file with a bad digit names its line and column") {
    TempFile f("# a packet\n0200 0000\n00zz\n", ".hex");
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet", f.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.err ==
          "bpfvm: " + f.path() +
              ": 'z' at line 3 column 3 is not a hex digit (write bytes as pairs of hex digits, e.g. \"02 "
              "00 00 00 00 02\" or \"020000000002\")\n");
}

TEST_CASE("with --json an input or load error is the error object on stdout") {
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--program", "nope", "--json"});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "");
    CHECK(r.out == "{\"error\":{\"kind\":\"load\",\"message\":\"no program \\\"nope\\\" in " +
                       example_object("xdp_drop_port.o") + "; its programs: xdp_drop_port\"}}\n");
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", "0", "--json"});
    CHECK(r.exit_code == 1);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK(j->get("error").get("kind").as_string() == "parse");
}

TEST_CASE("bad object command lines exit 2 with one line saying what is wrong") {
    const std::string obj = example_object("xdp_drop_port.o");
    struct Case {
        std::vector<std::string> args;
        const char* err;
    };
    const Case cases[] = {
        {{"run", obj, "--cpu", "4"},
         "run: --cpu takes a CPU number from 0 to 3 (the emulated host has 4 CPUs), not '4'"},
        {{"run", obj, "--cpu=-1"},
         "run: --cpu takes a CPU number from 0 to 3 (the emulated host has 4 CPUs), not '-1'"},
        {{"run", obj, "--cpu"}, "run: --cpu needs a value"},
        {{"run", obj, "--repeat", "0"}, "run: --repeat takes a number from 1 to 1000000, not '0'"},
        {{"run", obj, "--repeat", "1000001"},
         "run: --repeat takes a number from 1 to 1000000, not '1000001'"},
        {{"run", obj, "--budget", "0"}, "run: --budget takes a number of instructions from 1 to 1000000000, not '0'"},
        {{"run", obj, "--budget", "18446744073709551615"},
         "run: --budget takes a number of instructions from 1 to 1000000000, not '18446744073709551615'"},
        {{"run", obj, "--budget", "1000000001"},
         "run: --budget takes a number of instructions from 1 to 1000000000, not '1000000001'"},
        {{"run", obj, "--packet-hex", "00", "--pcap", "x.pcap"},
         "run: give one packet: --packet-hex and --pcap both given"},
        {{"run", obj, "--all-packets"}, "run: --all-packets needs --pcap FILE"},
        {{"run", obj, "--program"}, "run: --program needs a value"},
        {{"run", obj, "--mem=00"}, "run: --mem is for raw programs, not ELF objects"},
        {{"run", obj, "--frob"}, "run: unknown option '--frob'"},
        {{"run", obj, obj}, nullptr},
        {{"info"}, "info: missing FILE"},
        {{"info", obj, "--frob"}, "info: unknown option '--frob'"},
        {{"info", obj, obj}, "info: more than one FILE"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.args.back());
        auto r = run_bpfvm(c.args);
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        const std::string err =
            c.err ? std::string(c.err) : "run: more than one FILE ('" + obj + "' and '" + obj + "')";
        CHECK(r.err == "bpfvm: " + err + "\nTry 'bpfvm --help'.\n");
    }
}
