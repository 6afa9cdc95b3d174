// Objects with a program that cannot run (tests/loader/fixtures/refused_sibling.c: an XDP
// program, an fentry program calling the kfunc bpf_cpumask_create, which bpfplay lacks, and a socket filter calling
// bpf_redirect, which the kernel's verifier refuses for socket filters) and an object whose map
// the kernel refuses to create (bad_map.c): what `info` and `run` say about them.
#include <doctest/doctest.h>

#include <string>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

std::string fixture(const char* name) {
    return std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/" + name;
}

const std::string kMissingHelper =
    "insn 0 (./tests/loader/fixtures/refused_sibling.c:29): kfunc bpf_cpumask_create is not "
    "available here. bpfplay does not implement it yet; the object's other programs load and run.";
const std::string kRedirect =
    "insn 2 (./tests/loader/fixtures/refused_sibling.c:36): program of type socket_filter "
    "cannot use helper bpf_redirect#23. The kernel's verifier refuses the call. bpf_redirect "
    "is available to sched_cls, sched_act, xdp and lwt_xmit programs.";
const std::string kEmptyMap =
    "cannot create map \"empty\": -EINVAL: array map \"empty\" has key_size 8, but array keys "
    "are u32 indexes: key_size must be 4. Declare the key as __u32.";

} // namespace

TEST_CASE("info says which programs run and why the others cannot") {
    auto r = run_bpfvm({"info", fixture("refused_sibling.o")});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    const size_t sections = r.out.find("\nsections (30):\n");
    REQUIRE(sections != std::string::npos);
    CHECK(r.out.substr(0, sections + 1) ==
          "object \"refused_sibling\"\n"
          "license: \"GPL\"\n"
          "BTF: 45 types, with func/line info\n"
          "\n"
          "programs (3):\n"
          "  0: count_packets  section \"xdp\"  type xdp  13 insns  runnable\n"
          "  1: signal_opener  section \"fentry/do_sys_openat2\"  type tracing  3 insns  cannot run:\n"
          "       " +
              kMissingHelper +
              "\n"
              "  2: redirect_socket  section \"socket\"  type socket_filter  4 insns  cannot run:\n"
              "       " +
              kRedirect +
              "\n"
              "\n"
              "maps (1):\n"
              "  0: counts  array  key 4B  value 8B  max_entries 1  from .maps\n"
              "\n");
}

TEST_CASE("info --json gives each program's status and load error with its C line") {
    auto r = run_bpfvm({"info", fixture("refused_sibling.o"), "--json"});
    CHECK(r.exit_code == 0);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK(j->get("loads").as_bool());
    CHECK(j->get("entry_program").as_string() == "count_packets");
    const bpfplay::JsonValue& programs = j->get("programs");
    REQUIRE(programs.size() == 3);
    CHECK(programs.at(0)->get("runnable").as_bool());
    CHECK(programs.at(0)->get("status").as_string() == "runnable");
    CHECK_FALSE(programs.at(0)->contains("load_error"));
    CHECK_FALSE(programs.at(1)->get("runnable").as_bool());
    CHECK(programs.at(1)->get("status").as_string() == "cannot run: " + kMissingHelper);
    const bpfplay::JsonValue& refused = programs.at(2)->get("load_error");
    CHECK(refused.get("kind").as_string() == "verify");
    CHECK(refused.get("what").as_string() ==
          "program of type socket_filter cannot use helper bpf_redirect#23");
    CHECK(refused.get("hint").as_string() ==
          "The kernel's verifier refuses the call. bpf_redirect is available to "
          "sched_cls, sched_act, xdp and lwt_xmit programs.");
    CHECK(refused.get("pc").as_uint64() == 2u);
    CHECK(refused.get("section").as_string() == "socket");
    CHECK(refused.get("source").as_string() == "./tests/loader/fixtures/refused_sibling.c:36");
    CHECK(refused.get("message").as_string() == "section \"socket\", " + kRedirect);
}

TEST_CASE("info on an object whose map cannot be created describes it, and exits 1 with the error") {
    const std::string path = fixture("bad_map.o");
    auto r = run_bpfvm({"info", path});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "bpfvm: " + path + ": section \".maps\", map \"empty\": " + kEmptyMap + "\n");
    const size_t sections = r.out.find("\nsections (26):\n");
    REQUIRE(sections != std::string::npos);
    CHECK(r.out.substr(0, sections + 1) ==
          "object \"bad_map\"\n"
          "does not load: section \".maps\", map \"empty\": " +
              kEmptyMap +
              "\n"
              "license: \"GPL\"\n"
              "BTF: 29 types, with func/line info\n"
              "\n"
              "programs (1):\n"
              "  0: uses_maps  section \"xdp\"  type xdp  18 insns  cannot run: the object does not load\n"
              "\n"
              "maps (2):\n"
              "  0: good  hash  key 4B  value 8B  max_entries 16  from .maps\n"
              "  1: empty  array  key 8B  value 8B  max_entries 4  from .maps  cannot be created:\n"
              "       " +
              kEmptyMap +
              "\n"
              "\n");
    CHECK(r.out.find("  [ 3] xdp                      PROGBITS     AX  size 0x90     code (programs)\n") !=
          std::string::npos);
}

TEST_CASE(
    "info --json on an object whose map cannot be created is still one object: sections, maps, errors") {
    auto r = run_bpfvm({"info", fixture("bad_map.o"), "--json"});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "");
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK_FALSE(j->get("loads").as_bool());
    CHECK(j->get("error").get("map").as_string() == "empty");
    CHECK(j->get("error").get("message").as_string() == "section \".maps\", map \"empty\": " + kEmptyMap);
    CHECK(j->get("entry_program").is_null());
    CHECK(j->get("sections").size() == 26);
    REQUIRE(j->get("programs").size() == 1);
    CHECK_FALSE(j->get("programs").at(0)->get("runnable").as_bool());
    CHECK(j->get("programs").at(0)->get("status").as_string() == "cannot run: the object does not load");
    const bpfplay::JsonValue& maps = j->get("maps");
    REQUIRE(maps.size() == 2);
    CHECK(maps.at(0)->get("name").as_string() == "good");
    CHECK(maps.at(0)->get("created").as_bool());
    CHECK_FALSE(maps.at(0)->contains("error"));
    CHECK(maps.at(1)->get("name").as_string() == "empty");
    CHECK(maps.at(1)->get("max_entries").as_uint64() == 4u);
    CHECK(maps.at(1)->get("value_type").as_string() == "__u64");
    CHECK_FALSE(maps.at(1)->get("created").as_bool());
    CHECK(maps.at(1)->get("error").get("what").as_string() ==
          "cannot create map \"empty\": -EINVAL: array map \"empty\" has key_size 8, but array keys are u32 "
          "indexes: key_size must be 4");
}

TEST_CASE("info --json on a file that is not an object is one object with the error") {
    auto r = run_bpfvm({"info", example("fib.s"), "--json"});
    CHECK(r.exit_code == 1);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK_FALSE(j->get("loads").as_bool());
    CHECK(j->get("object").as_string() == "fib.s");
    CHECK(j->get("error").get("what").as_string() == "info: " + example("fib.s") + " is not an ELF object");
    CHECK(j->get("programs").size() == 0);
    auto missing = run_bpfvm({"info", "/nonexistent/prog.o", "--json"});
    CHECK(missing.exit_code == 1);
    auto m = bpfplay::parse_json(missing.out);
    REQUIRE(m.ok());
    CHECK(m->get("error").get("what").as_string() ==
          "cannot open /nonexistent/prog.o: No such file or directory");
}

TEST_CASE("run without --program runs the first runnable program and says which it skipped and why") {
    const std::string path = fixture("refused_sibling.o");
    auto r = run_bpfvm({"run", path, "--packet-hex", "0200000000020200000000010800"});
    CHECK(r.exit_code == 0);
    CHECK(r.err ==
          "bpfvm: note: " + path +
              " has 3 programs (count_packets, signal_opener, redirect_socket); running count_packets "
              "(choose with --program NAME)\n"
              "bpfvm: note: skipped signal_opener (section \"fentry/do_sys_openat2\"), which cannot run: " +
              kMissingHelper +
              "\n"
              "bpfvm: note: skipped redirect_socket (section \"socket\"), which cannot run: " +
              kRedirect + "\n");
    CHECK(r.out.starts_with("program count_packets\nreturn 0x2 (2) XDP_PASS\n"));
    CHECK(r.out.find("map counts (array map \"counts\"): 1 entry\n  0 => 1\n") != std::string::npos);
}

TEST_CASE("run --program on a sibling of refused programs runs it") {
    auto r = run_bpfvm({"run", fixture("refused_sibling.o"), "--program", "count_packets", "--repeat", "3"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "bpfvm: note: no packet given (--packet HEXFILE, --packet-hex HEX or --pcap FILE); count_packets "
                   "runs on a 0-byte packet\n");
    CHECK(r.out.starts_with("3 runs; return values: XDP_PASS XDP_PASS XDP_PASS\nprogram count_packets\n"));
    CHECK(r.out.find("  0 => 3\n") != std::string::npos);
}

TEST_CASE("run --program on a refused program prints its load error with the C line") {
    auto r = run_bpfvm({"run", fixture("refused_sibling.o"), "--program", "redirect_socket"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err == "bpfvm: program \"redirect_socket\" (section \"socket\") cannot run: " + kRedirect + "\n");
    auto missing = run_bpfvm({"run", fixture("refused_sibling.o"), "--program", "signal_opener", "--json"});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err == "");
    auto j = bpfplay::parse_json(missing.out);
    REQUIRE(j.ok());
    CHECK(j->get("error").get("kind").as_string() == "helper");
    CHECK(j->get("error").get("message").as_string() ==
          "program \"signal_opener\" (section \"fentry/do_sys_openat2\") cannot run: " + kMissingHelper);
    // The debugger refuses it the same way.
    auto debug = run_bpfvm({"debug", fixture("refused_sibling.o"), "--program", "redirect_socket"}, "");
    CHECK(debug.exit_code == 1);
    CHECK(debug.err == r.err);
}
