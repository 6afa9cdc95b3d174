// .maps definitions decoded from the fixtures, checked attribute by attribute, plus the
// libbpf rules that reject bad definitions.
#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"
#include "core/btf/btf_map_def.hpp"

using namespace bpfplay;
using bpfplay::test::BtfBuilder;
using bpfplay::test::load_fixture;

namespace {

constexpr uint32_t kHash = 1, kArray = 2, kLruHash = 9, kRingbuf = 27;

struct Loaded {
    test::ElfFixture fx;
    Btf btf;
    std::vector<BtfMapDef> defs;
};

Loaded load_maps(const std::string& fixture) {
    Loaded l;
    l.fx = load_fixture(fixture);
    auto btf = parse_btf(l.fx.section(".BTF"));
    REQUIRE(btf.ok());
    l.btf = std::move(btf).value();
    const auto& maps = l.fx.section(".maps");
    auto fixed = l.btf.fix_datasec_layout(".maps", static_cast<uint32_t>(maps.size()), [&](std::string_view v) {
        return l.fx.symbol_offset(".maps", v);
    });
    REQUIRE(fixed.ok());
    auto defs = parse_btf_map_defs(l.btf);
    REQUIRE_MESSAGE(defs.ok(), (defs.ok() ? "" : defs.error().to_string()));
    l.defs = std::move(defs).value();
    return l;
}

const BtfMapDef& def_named(const std::vector<BtfMapDef>& defs, std::string_view name) {
    for (const auto& d : defs)
        if (d.name == name) return d;
    FAIL("no map named " << std::string(name));
    return defs.front();
}

}  // namespace

TEST_CASE("map defs: maps.o") {
    Loaded l = load_maps("maps.o");
    REQUIRE(l.defs.size() == 4);

    const BtfMapDef& counts = def_named(l.defs, "counts");
    CHECK(counts.type == kHash);
    CHECK(counts.max_entries == 16);
    CHECK(counts.key_size == 4);
    CHECK(counts.value_size == 16);
    CHECK(l.btf.type_to_string(counts.key_type_id) == "__u32");
    CHECK(l.btf.type_to_string(counts.value_type_id) == "struct stats");
    CHECK(counts.map_flags == 0);
    CHECK(counts.pinning == 0);
    CHECK_FALSE(counts.inner.has_value());
    CHECK(counts.values == BtfMapValues::None);
    CHECK(counts.section_offset == 0);
    CHECK(counts.section_size == 32);
    CHECK(l.btf.kind(counts.var_type_id) == BtfKind::Var);

    const BtfMapDef& sized = def_named(l.defs, "sized");
    CHECK(sized.type == kArray);
    CHECK(sized.key_size == 4);
    CHECK(sized.value_size == 24);
    CHECK(sized.key_type_id == 0);  // sizes only, no types
    CHECK(sized.value_type_id == 0);
    CHECK(sized.max_entries == 8);
    CHECK(sized.section_offset == 32);

    const BtfMapDef& flows = def_named(l.defs, "flows");
    CHECK(flows.type == kLruHash);
    CHECK(flows.max_entries == 1024);
    CHECK(flows.map_flags == 2);  // BPF_F_NO_COMMON_LRU
    CHECK(flows.pinning == 1);    // LIBBPF_PIN_BY_NAME
    CHECK(flows.numa_node == 1);
    CHECK(flows.key_size == 16);
    CHECK(l.btf.type_to_string(flows.key_type_id) == "struct flow_key");
    CHECK(flows.value_size == 8);
    CHECK(l.btf.type_to_string(flows.value_type_id) == "__u64");
    CHECK(flows.section_offset == 64);
    CHECK(flows.section_size == 56);

    const BtfMapDef& events = def_named(l.defs, "events");
    CHECK(events.type == kRingbuf);
    CHECK(events.max_entries == 4096);
    CHECK(events.key_size == 0);
    CHECK(events.value_size == 0);
}

TEST_CASE("map defs: map-in-map and prog array with initial values") {
    Loaded l = load_maps("map_in_map.o");
    REQUIRE(l.defs.size() == 5);

    for (const char* name : {"inner_a", "inner_b"}) {
        const BtfMapDef& inner = def_named(l.defs, name);
        CHECK(inner.type == kArray);
        CHECK(inner.max_entries == 4);
        CHECK(inner.key_size == 4);
        CHECK(inner.value_size == 8);
    }

    const BtfMapDef& outer = def_named(l.defs, "outer");
    CHECK(outer.type == kBpfMapTypeArrayOfMaps);
    CHECK(outer.max_entries == 3);
    CHECK(outer.key_size == 4);
    CHECK(outer.value_size == 4);  // map fds
    CHECK(outer.value_type_id == 0);
    REQUIRE(outer.inner.has_value());
    CHECK(outer.inner->type == kArray);
    CHECK(outer.inner->max_entries == 4);
    CHECK(outer.inner->key_size == 4);
    CHECK(outer.inner->value_size == 8);
    CHECK(l.btf.type_to_string(outer.inner->value_type_id) == "__u64");
    CHECK(outer.values == BtfMapValues::Maps);
    CHECK(outer.values_offset == 24);
    CHECK(outer.section_size == 48);  // 24-byte def + 3 slots of 8

    // The loader finds the initial values as ABS64 relocations inside `values`.
    std::vector<std::pair<uint64_t, std::string>> slots;
    for (const auto& r : l.fx.relocs[".maps"]) {
        uint64_t base = outer.section_offset + outer.values_offset;
        if (r.offset >= base && r.offset < outer.section_offset + outer.section_size)
            slots.emplace_back((r.offset - base) / 8, r.symbol);
    }
    REQUIRE(slots.size() == 2);
    CHECK(slots[0] == std::pair<uint64_t, std::string>{0, "inner_a"});
    CHECK(slots[1] == std::pair<uint64_t, std::string>{2, "inner_b"});

    const BtfMapDef& outer_hash = def_named(l.defs, "outer_hash");
    CHECK(outer_hash.type == kBpfMapTypeHashOfMaps);
    CHECK(outer_hash.max_entries == 8);
    REQUIRE(outer_hash.inner.has_value());
    CHECK(outer_hash.inner->type == kHash);
    CHECK(outer_hash.inner->max_entries == 32);
    CHECK(outer_hash.inner->key_size == 8);
    CHECK(outer_hash.inner->value_size == 4);
    CHECK(outer_hash.values == BtfMapValues::Maps);

    const BtfMapDef& jumps = def_named(l.defs, "jumps");
    CHECK(jumps.type == kBpfMapTypeProgArray);
    CHECK(jumps.max_entries == 2);
    CHECK(jumps.key_size == 4);
    CHECK(jumps.value_size == 4);
    CHECK_FALSE(jumps.inner.has_value());
    CHECK(jumps.values == BtfMapValues::Programs);
    CHECK(jumps.values_offset == 24);
    int prog_slots = 0;
    for (const auto& r : l.fx.relocs[".maps"]) {
        if (r.offset == jumps.section_offset + jumps.values_offset + 8 * 1) {
            CHECK(r.symbol == "tail_target");
            ++prog_slots;
        }
    }
    CHECK(prog_slots == 1);
}

namespace {

// A builder with the pieces a map definition is made of.
struct MapBtf {
    BtfBuilder b;
    uint32_t int_t, u32, idx;
    MapBtf() {
        int_t = b.add_int("int", 4, 1, 32);
        u32 = b.add_int("unsigned int", 4, 0, 32);
        idx = b.add_int("__ARRAY_SIZE_TYPE__", 4, 0, 32);
    }
    uint32_t uint_attr(uint32_t n) { return b.add_ref(test::K_PTR, "", b.add_array(int_t, idx, n)); }
    uint32_t type_attr(uint32_t t) { return b.add_ref(test::K_PTR, "", t); }
};

std::string map_error_of(MapBtf& m, const std::vector<BtfBuilder::Member>& members) {
    uint32_t def = m.b.add_struct("", 8 * static_cast<uint32_t>(members.size()), members);
    auto btf = parse_btf(m.b.build());
    REQUIRE_MESSAGE(btf.ok(), (btf.ok() ? "" : btf.error().to_string()));
    auto parsed = parse_btf_map_def(*btf, def, "m");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == ErrorKind::Load);
    CHECK(parsed.error().where.section == ".maps");
    CHECK(parsed.error().where.map == "m");
    return parsed.error().what;
}

}  // namespace

TEST_CASE("map defs: libbpf's rules reject bad definitions") {
    SUBCASE("no type") {
        MapBtf m;
        std::string e = map_error_of(m, {{"max_entries", m.uint_attr(4), 0}});
        CHECK(e.find("map type isn't specified") != std::string::npos);
    }
    SUBCASE("key given twice with different sizes") {
        MapBtf m;
        std::string e = map_error_of(
            m, {{"type", m.uint_attr(1), 0}, {"key_size", m.uint_attr(8), 64}, {"key", m.type_attr(m.u32), 128}});
        CHECK(e.find("conflicting key size 8 != 4") != std::string::npos);
    }
    SUBCASE("unknown attribute") {
        MapBtf m;
        std::string e = map_error_of(m, {{"type", m.uint_attr(1), 0}, {"flavour", m.uint_attr(1), 64}});
        CHECK(e.find("unknown attribute 'flavour'") != std::string::npos);
    }
    SUBCASE("__uint that is not a pointer to an array") {
        MapBtf m;
        std::string e = map_error_of(m, {{"type", m.u32, 0}});
        CHECK(e.find("expected a pointer to an array") != std::string::npos);
    }
    SUBCASE("key that is not a pointer") {
        MapBtf m;
        std::string e = map_error_of(m, {{"type", m.uint_attr(1), 0}, {"key", m.u32, 64}});
        CHECK(e.find("__type(key, T)") != std::string::npos);
    }
    SUBCASE("values on a plain hash") {
        MapBtf m;
        uint32_t values = m.b.add_array(m.type_attr(m.int_t), m.idx, 0);
        std::string e = map_error_of(m, {{"type", m.uint_attr(1), 0}, {"values", values, 64}});
        CHECK(e.find("'values' needs an array/hash of maps or a prog array") != std::string::npos);
    }
    SUBCASE("values not last") {
        MapBtf m;
        uint32_t values = m.b.add_array(m.type_attr(m.int_t), m.idx, 0);
        std::string e = map_error_of(
            m, {{"type", m.uint_attr(kBpfMapTypeProgArray), 0}, {"values", values, 64}, {"max_entries", m.uint_attr(2), 128}});
        CHECK(e.find("must be the last member") != std::string::npos);
    }
    SUBCASE("prog array values that are not functions") {
        MapBtf m;
        uint32_t values = m.b.add_array(m.type_attr(m.int_t), m.idx, 0);
        std::string e = map_error_of(m, {{"type", m.uint_attr(kBpfMapTypeProgArray), 0}, {"values", values, 64}});
        CHECK(e.find("prog-array value def is of unexpected kind int") != std::string::npos);
    }
    SUBCASE("inner map that is itself a map-in-map") {
        MapBtf m;
        uint32_t leaf = m.b.add_struct("leaf", 8, {{"type", m.uint_attr(1), 0}});
        uint32_t mid_values = m.b.add_array(m.type_attr(leaf), m.idx, 0);
        uint32_t mid = m.b.add_struct("mid", 16, {{"type", m.uint_attr(kBpfMapTypeArrayOfMaps), 0}, {"values", mid_values, 64}});
        uint32_t values = m.b.add_array(m.type_attr(mid), m.idx, 0);
        std::string e = map_error_of(m, {{"type", m.uint_attr(kBpfMapTypeArrayOfMaps), 0}, {"values", values, 64}});
        CHECK(e.find("map 'm.inner': multi-level inner maps are not supported") != std::string::npos);
    }
    SUBCASE("pinned inner map") {
        MapBtf m;
        uint32_t inner = m.b.add_struct("inner", 16, {{"type", m.uint_attr(1), 0}, {"pinning", m.uint_attr(1), 64}});
        uint32_t values = m.b.add_array(m.type_attr(inner), m.idx, 0);
        std::string e = map_error_of(m, {{"type", m.uint_attr(kBpfMapTypeHashOfMaps), 0}, {"values", values, 64}});
        CHECK(e.find("inner map definition can't be pinned") != std::string::npos);
    }
    SUBCASE("bad pinning value") {
        MapBtf m;
        std::string e = map_error_of(m, {{"type", m.uint_attr(1), 0}, {"pinning", m.uint_attr(7), 64}});
        CHECK(e.find("invalid pinning value 7") != std::string::npos);
    }
}

TEST_CASE("map defs: .maps variables must be global structs") {
    MapBtf m;
    uint32_t def = m.b.add_struct("", 8, {{"type", m.uint_attr(1), 0}});
    uint32_t var = m.b.add_var("hidden", def, 0);  // static
    m.b.add_datasec(".maps", 0, {{var, 0, 8}});
    auto btf = parse_btf(m.b.build());
    REQUIRE(btf.ok());
    auto defs = parse_btf_map_defs(*btf);
    REQUIRE_FALSE(defs.ok());
    CHECK(defs.error().what.find("map 'hidden': unsupported map linkage static") != std::string::npos);

    MapBtf ok;
    uint32_t def2 = ok.b.add_struct("", 16, {{"type", ok.uint_attr(1), 0}, {"map_extra", ok.uint_attr(5), 64}});
    uint32_t var2 = ok.b.add_var("extra", def2, 1);
    ok.b.add_datasec(".maps", 0, {{var2, 0, 16}});
    auto btf2 = parse_btf(ok.b.build());
    REQUIRE(btf2.ok());
    auto defs2 = parse_btf_map_defs(*btf2);
    REQUIRE(defs2.ok());
    REQUIRE(defs2->size() == 1);
    CHECK((*defs2)[0].map_extra == 5);

    // No .maps section at all: no maps, no error.
    MapBtf none;
    auto btf3 = parse_btf(none.b.build());
    REQUIRE(btf3.ok());
    auto defs3 = parse_btf_map_defs(*btf3);
    REQUIRE(defs3.ok());
    CHECK(defs3->empty());
}
