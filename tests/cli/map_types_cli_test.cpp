// bpfvm on the queue/stack, LPM trie and bloom filter examples: how `run` and `debug` show
// those maps -- an LPM key as a prefix, a queue or stack in pop order, a bloom filter's bits.
#include <doctest/doctest.h>

#include <string>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

// examples/cases/xdp_lpm_router.json "mixed": its routes, and its second packet (to 10.1.9.9).
const char* const kRoutes =
    R"({"routes": [{"key": "080000000a000000", "value": "020000000100000000000000000000000000000000000000"},
                   {"key": "100000000a010000", "value": "010000000200000000000000000000000000000000000000"},
                   {"key": "180000000a010200", "value": "020000000300000000000000000000000000000000000000"},
                   {"key": "10000000c0a80000", "value": "010000000400000000000000000000000000000000000000"},
                   {"key": "0c000000ac100509", "value": "020000000500000000000000000000000000000000000000"}]})";
const char* const kTo10_1_9_9 =
    "0200000000020200000000010800450000380001400040111daa0a0000010a0109090fa0003500249084"
    "72727272727272727272727272727272727272727272727272727272";
// examples/cases/xdp_queue_stack.json "preloaded": its map_init and packet (TCP: pops).
const char* const kPreloaded =
    R"({"fifo": [{"key": "", "value": "e8030000"}, {"key": "", "value": "d0070000"}],
                                   "lifo": [{"key": "", "value": "07000000"}]})";
const char* const kTcp =
    "02000000000202000000000108004500002800014000400626cd0a0000010a00000200010050000003e8000000"
    "005002ffff97a70000";

} // namespace

TEST_CASE("run: an LPM trie's entries are shown as prefixes, most specific first") {
    TempFile init(kRoutes, ".json");
    auto r = run_bpfvm(
        {"run", example_object("xdp_lpm_router.o"), "--packet-hex", kTo10_1_9_9, "--map-init", init.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == "program xdp_lpm_router\n"
                   "return 0x1 (1) XDP_DROP\n"
                   "28 instructions executed\n"
                   "host: pc 49: exit: XDP_DROP: the packet is dropped\n"
                   "map routes (lpm_trie map \"routes\"): 5 entries\n"
                   "  10.1.2.0/24 => { .action = 2, .id = 3, .packets = 0, .bytes = 0 }\n"
                   "  10.1.0.0/16 => { .action = 1, .id = 2, .packets = 1, .bytes = 70 }\n"
                   "  10.0.0.0/8 => { .action = 2, .id = 1, .packets = 0, .bytes = 0 }\n"
                   "  172.16.5.9/12 => { .action = 2, .id = 5, .packets = 0, .bytes = 0 }\n"
                   "  192.168.0.0/16 => { .action = 1, .id = 4, .packets = 0, .bytes = 0 }\n"
                   "map no_route (array map \"no_route\"): 2 entries\n"
                   "  0 => 0\n"
                   "  1 => 0\n");
    // --json: each entry keeps its key and gains the label.
    r = run_bpfvm({"run", example_object("xdp_lpm_router.o"), "--packet-hex", kTo10_1_9_9, "--map-init",
                   init.path(), "--json"});
    REQUIRE(r.exit_code == 0);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    const bpfplay::JsonValue& first = *j->get("maps").get("routes").at(0);
    CHECK(first.get("label").as_string() == "10.1.2.0/24");
    CHECK(first.get("key").get("prefixlen").as_uint64() == 24u);
    CHECK(first.get("key_hex").as_string() == "180000000a010200");
}

TEST_CASE("debug: maps shows a queue and a stack in pop order, before and after the pops") {
    TempFile init(kPreloaded, ".json");
    auto r = run_bpfvm(
        {"debug", example_object("xdp_queue_stack.o"), "--packet-hex", kTcp, "--map-init", init.path()},
        "maps\nc\nmaps\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out.find("map fifo (queue map \"fifo\"): 2 entries\n"
                     "  (2 of 3 values, listed in pop order: first in, first out)\n"
                     "  #0 (front: popped next) => 1000\n"
                     "  #1 (back: pushed last) => 2000\n"
                     "map lifo (stack map \"lifo\"): 1 entry\n"
                     "  (1 of 3 values, listed in pop order: last in, first out)\n"
                     "  #0 (top: popped next) => 7\n") != std::string::npos);
    CHECK(r.out.find("Program exited with r0 = 2 (XDP_PASS) after 70 instructions\n"
                     "map fifo (queue map \"fifo\"): 1 entry\n"
                     "  (1 of 3 values, listed in pop order: first in, first out)\n"
                     "  #0 (front: popped next) => 2000\n"
                     "map lifo (stack map \"lifo\"): 0 entries\n"
                     "  (0 of 3 values, listed in pop order: last in, first out)\n"
                     "map stats (array map \"stats\"): 7 entries\n") != std::string::npos);
    r = run_bpfvm({"debug", example_object("xdp_queue_stack.o"), "--packet-hex", kTcp, "--map-init",
                   init.path(), "--json"},
                  "maps\n");
    REQUIRE(r.exit_code == 0);
    const std::string last = r.out.substr(r.out.rfind("{\"command\":\"maps\""));
    auto j = bpfplay::parse_json(last.substr(0, last.find('\n')));
    REQUIRE(j.ok());
    const bpfplay::JsonValue& fifo = *j->get("maps").at(0);
    CHECK(fifo.get("summary").as_string() == "2 of 3 values, listed in pop order: first in, first out");
    CHECK(fifo.get("entries").at(1)->get("label").as_string() == "#1 (back: pushed last)");
    CHECK(fifo.get("entries").at(1)->get("values").at(0)->as_uint64() == 2000u);
}

TEST_CASE("run: a bloom filter lists no entries, only how many bits are set") {
    // examples/cases/xdp_bloom_filter.json "repeats": the first packet (from 10.0.0.1) is new.
    auto r = run_bpfvm({"run", example_object("xdp_bloom_filter.o"), "--packet-hex", kTcp});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(
              "map seen (bloom_filter map \"seen\"): 0 entries\n"
              "  (1 of 64 bits set; 1 hash function, seed 0 (BPF_F_ZERO_SEED); peek says \"maybe present\" "
              "only when all of a value's bits are set)\n") != std::string::npos);
}
