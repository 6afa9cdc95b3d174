// set_map_entry (core/debugger/map_edit.hpp): a map entry set from C values in one command.
#include <doctest/doctest.h>

#include "core/debugger/map_edit.hpp"
#include "core/hex.hpp"
#include "core/maps/map_set.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

std::vector<std::vector<uint8_t>> values_of(DebugSession& s, const std::string& map, const std::vector<uint8_t>& key) {
    for (const MapView& m : s.state().maps)
        if (m.name == map)
            for (const MapEntryView& e : m.entries)
                if (e.key == key) return e.values;
    return {};
}

}  // namespace

TEST_CASE("set_map_entry encodes a struct value, updates the map and clears the journal") {
    Debugged d = open_case(find_case("xdp_proto_count/mixed_protocols"));
    REQUIRE_MESSAGE(d.session, d.error);
    d.session->step();
    auto key = set_map_entry(*d.session, {"proto_stats", "17", {R"({"packets": 100, "bytes": 1000})"}, 0});
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    CHECK(*key == std::vector<uint8_t>{17, 0, 0, 0});
    const auto values = values_of(*d.session, "proto_stats", *key);
    REQUIRE(values.size() == 1);
    CHECK(hex_bytes(values[0]) == "6400000000000000e803000000000000");
    CHECK(d.session->history_start() == d.session->executed());  // stepping back stops at the edit

    SUBCASE("the encoder's error names the field, and nothing changes") {
        auto bad = set_map_entry(*d.session, {"proto_stats", "17", {R"({"packets": -1})"}, 0});
        REQUIRE(!bad.ok());
        CHECK(bad.error().what == "value.packets: -1 does not fit in __u64 (0 to 18446744073709551615)");
        CHECK(hex_bytes(values_of(*d.session, "proto_stats", {17, 0, 0, 0})[0]) == "6400000000000000e803000000000000");
    }
    SUBCASE("the kernel's error in words: BPF_NOEXIST on a key that is there") {
        auto exists = set_map_entry(*d.session, {"proto_stats", "17", {"{}"}, 1});
        REQUIRE(!exists.ok());
        CHECK(exists.error().kind == ErrorKind::Map);
        CHECK(exists.error().where.map == "proto_stats");
        CHECK(exists.error().what == "bpf_map_update_elem failed with -EEXIST: the key is already there (BPF_NOEXIST)");
    }
    SUBCASE("an unknown map, and two values for a map with one CPU value") {
        auto none = set_map_entry(*d.session, {"nope", "0", {"{}"}, 0});
        REQUIRE(!none.ok());
        CHECK(none.error().what == "the object has no map named \"nope\"");
        auto two = set_map_entry(*d.session, {"proto_stats", "1", {"{}", "{}"}, 0});
        REQUIRE(!two.ok());
        CHECK(two.error().what == "expected one value, not 2");
    }
}

TEST_CASE("set_map_entry on a per-CPU map: one value goes to every CPU, or one value per CPU") {
    Debugged d = open_case(find_case("xdp_percpu_stats/one_packet"));
    REQUIRE_MESSAGE(d.session, d.error);
    const uint32_t cpus = d.object->object().maps->find("stats")->ncpus();
    REQUIRE(cpus == 4);
    auto key = set_map_entry(*d.session, {"stats", "0", {R"({"drops_runt": 7})"}, 0});
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    auto values = values_of(*d.session, "stats", *key);
    REQUIRE(values.size() == cpus);
    for (const auto& v : values) CHECK(hex_bytes(v) == "0000000000000000000000000000000000000000000000000700000000000000");

    key = set_map_entry(*d.session, {"stats", "0", {"{}", R"({"rx_packets": "18446744073709551615"})", "{}", "{}"}, 0});
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    values = values_of(*d.session, "stats", *key);
    CHECK(hex_bytes(values[0]) == std::string(64, '0'));
    CHECK(hex_bytes(values[1]) == "ffffffffffffffff" + std::string(48, '0'));

    auto three = set_map_entry(*d.session, {"stats", "0", {"{}", "{}", "{}"}, 0});
    REQUIRE(!three.ok());
    CHECK(three.error().what == "expected one value or 4 (one per CPU), not 3");
}

TEST_CASE("map_edit_values: the page's JSON array of value texts, or why it is not one") {
    auto one = map_edit_values(R"(["{\"packets\": 3}"])");
    REQUIRE(one.ok());
    CHECK(one.value() == std::vector<std::string>{"{\"packets\": 3}"});
    auto two = map_edit_values(R"(["1", "2"])");
    REQUIRE(two.ok());
    CHECK(two.value() == std::vector<std::string>{"1", "2"});
    for (const char* bad : {"[]", "[1]", "\"1\"", "[\"1\", 2]", "{}"}) {
        CAPTURE(bad);
        auto r = map_edit_values(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Parse);
        CHECK(r.error().what == "the values are not a JSON array of one or more texts");
    }
    CHECK_FALSE(map_edit_values("[\"1\"").ok());  // not JSON
}

}  // namespace bpfplay::testing
