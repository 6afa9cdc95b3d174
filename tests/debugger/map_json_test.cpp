// Map entries edited as C values (core/run/map_value_json.hpp): for every example case, every
// key and value the state view shows decodes back to its exact bytes, and what is encoded
// decodes to the same JSON. Also: the state names the context struct's fields.
#include <doctest/doctest.h>

#include "core/btf/btf_value.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/hex.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/map_value_json.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

// The state view's JSON for bytes of `type_id` (a hex string without BTF).
std::string shown(const LoadedObject& o, uint32_t type_id, const std::vector<uint8_t>& bytes) {
    if (!o.btf || !type_id) return "\"" + hex_bytes(bytes) + "\"";
    return to_json(format_value(*o.btf, type_id, bytes));
}

} // namespace

TEST_CASE("every example: map keys and values as the page shows them encode back to their bytes") {
    const examples::CaseFiles files = examples::load_case_files();
    REQUIRE(files.errors.empty());
    size_t entries = 0, btf_parts = 0, empty_maps = 0;
    for (const examples::ExampleCase& c : files.cases) {
        CAPTURE(c.label());
        Debugged d = open_case(c);
        REQUIRE_MESSAGE(d.session, d.error);
        d.session->cont();
        const LoadedObject& o = d.object->object();
        for (const MapView& m : d.session->state().maps) {
            CAPTURE(m.name);
            const Map& map = *o.maps->find(m.name);
            btf_parts += (map.spec().btf_key_type_id != 0) + (map.spec().btf_value_type_id != 0);
            // Ring buffer records are shown, not edited: they have no key to encode.
            if (!m.user_update) continue;
            for (const MapEntryView& e : m.entries) {
                auto key = encode_map_json(o, m.name, MapPart::Key, e.key_json);
                REQUIRE_MESSAGE(key.ok(), key.error().to_string());
                CHECK(*key == e.key);
                CHECK(shown(o, map.spec().btf_key_type_id, *key) == e.key_json);
                for (size_t cpu = 0; cpu < e.values.size(); ++cpu) {
                    auto value = encode_map_json(o, m.name, MapPart::Value, e.values_json[cpu]);
                    REQUIRE_MESSAGE(value.ok(), value.error().to_string());
                    CHECK(*value == e.values[cpu]);
                    CHECK(shown(o, map.spec().btf_value_type_id, *value) == e.values_json[cpu]);
                }
                ++entries;
            }
            if (m.entries.empty()) {
                // An empty map: a zeroed key and value (what an "add" form starts from) read back.
                ++empty_maps;
                const std::vector<uint8_t> zk(m.key_size), zv(m.value_size);
                auto key = encode_map_json(o, m.name, MapPart::Key, shown(o, map.spec().btf_key_type_id, zk));
                auto value =
                    encode_map_json(o, m.name, MapPart::Value, shown(o, map.spec().btf_value_type_id, zv));
                REQUIRE_MESSAGE(key.ok(), key.error().to_string());
                REQUIRE_MESSAGE(value.ok(), value.error().to_string());
                CHECK(*key == zk);
                CHECK(*value == zv);
            }
        }
    }
    CHECK(entries >= 100);
    CHECK(btf_parts >= 20);
    CHECK(empty_maps >= 1);
}

TEST_CASE("a struct value edited as C: fields by name, the rest zero, errors naming map and field") {
    Debugged d = open_case(find_case("xdp_lru_conntrack/four_flows"));
    REQUIRE_MESSAGE(d.session, d.error);
    const LoadedObject& o = d.object->object();
    auto v = encode_map_json(o, "flows", MapPart::Value, R"({"packets":"18446744073709551615","bytes":2})");
    REQUIRE(v.ok());
    CHECK(hex_bytes(*v) == "ffffffffffffffff0200000000000000");
    auto k = encode_map_json(o, "flows", MapPart::Key, R"({"saddr":16842762,"sport":20480,"proto":6})");
    REQUIRE(k.ok());
    CHECK(hex_bytes(*k) == "0a000101000000000050000006000000");

    auto zero = encode_map_json(o, "flows", MapPart::Key, " \n");
    REQUIRE(zero.ok());
    CHECK(*zero == std::vector<uint8_t>(16, 0));

    auto bad = encode_map_json(o, "flows", MapPart::Key, R"({"sport":70000})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().where.map == "flows");
    CHECK(bad.error().to_string() == "map \"flows\": key.sport: 70000 does not fit in __u16 (0 to 65535)");
    auto unknown = encode_map_json(o, "flows", MapPart::Value, R"({"foo":1})");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().what == R"(value: unknown field "foo" (struct flow_stats has packets, bytes))");
    auto nomap = encode_map_json(o, "nope", MapPart::Value, "{}");
    REQUIRE_FALSE(nomap.ok());
    CHECK(nomap.error().what == "the object has no map named \"nope\"");
}

TEST_CASE("maps without BTF take their bytes as a hex string of the right size") {
    Debugged d = open_case(find_case("xdp_tail_call/udp"));
    REQUIRE_MESSAGE(d.session, d.error);
    const LoadedObject& o = d.object->object();
    const Map& jmp = *o.maps->find("jmp_table");
    REQUIRE(jmp.spec().btf_value_type_id == 0);
    auto v = encode_map_json(o, "jmp_table", MapPart::Value, R"("01000000")");
    REQUIRE(v.ok());
    CHECK(hex_bytes(*v) == "01000000");
    auto short_value = encode_map_json(o, "jmp_table", MapPart::Value, R"("0100")");
    REQUIRE_FALSE(short_value.ok());
    CHECK(short_value.error().what == "value: 2 bytes given, the map's value_size is 4");
    auto not_hex = encode_map_json(o, "jmp_table", MapPart::Value, "1");
    REQUIRE_FALSE(not_hex.ok());
    CHECK(not_hex.error().what == "value: this map has no BTF type for its value, so give its bytes as a hex "
                                  "string such as \"0a000000\"");
}

TEST_CASE("the state names the context struct's fields, in the view and in its JSON") {
    Debugged d = open_case(find_case("bpf2bpf_calls/tcp_ssh_pass"));
    REQUIRE_MESSAGE(d.session, d.error);
    const DebugState s = d.session->state();
    CHECK(s.context_struct == "xdp_md");
    REQUIRE(s.context_fields.size() == 6);
    CHECK(s.context_fields[1].name == "data_end");
    CHECK(s.context_fields[1].offset == 4);
    CHECK(s.context_fields[1].size == 4);
    CHECK(s.context.size() == 24);
    const std::string j = debug_state_json(s);
    CHECK(s.context_fields[1].kind == "packet_end");
    CHECK(s.context_fields[3].kind == "value");
    CHECK(s.context_fields[3].about == "the ifindex of the device the packet arrived on");
    CHECK(j.find(R"j("context_struct":"xdp_md","context_fields":[{"name":"data","offset":0,"size":4,"kind":"packet_start",)j"
                 R"j("about":"the packet's first byte (a 4-byte load gives the address)"},)j"
                 R"j({"name":"data_end","offset":4,"size":4,"kind":"packet_end",)j"
                 R"j("about":"one past the packet's last byte (a 4-byte load gives the address): compare before reading"},)j") !=
          std::string::npos);
}

} // namespace bpfplay::testing
