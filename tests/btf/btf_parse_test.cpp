// .BTF parsing of clang-compiled fixtures: type names, sizes, member offsets, C spelling
// of types, DATASEC lookup and the loader's DATASEC fixup.
#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"

using namespace bpfplay;
using bpfplay::test::load_fixture;

namespace {

Btf parse_fixture_btf(const std::string& name) {
    auto fx = load_fixture(name);
    auto btf = parse_btf(fx.section(".BTF"));
    REQUIRE_MESSAGE(btf.ok(), (btf.ok() ? "" : btf.error().to_string()));
    return std::move(btf).value();
}

uint32_t id_of(const Btf& btf, std::string_view name, BtfKind kind) {
    auto id = btf.find_by_name(name, kind);
    REQUIRE_MESSAGE(id.has_value(), "no " << btf_kind_name(kind) << " named " << std::string(name));
    return *id;
}

}  // namespace

TEST_CASE("btf: struct layout from maps.o") {
    Btf btf = parse_fixture_btf("maps.o");
    uint32_t key = id_of(btf, "flow_key", BtfKind::Struct);
    CHECK(btf.name(key) == "flow_key");
    CHECK(*btf.resolve_size(key) == 16);
    auto members = btf.members(key);
    REQUIRE(members.size() == 5);
    const char* names[] = {"saddr", "daddr", "sport", "dport", "proto"};
    const uint32_t offsets[] = {0, 32, 64, 80, 96};
    const uint32_t sizes[] = {4, 4, 2, 2, 1};
    for (size_t i = 0; i < 5; ++i) {
        CHECK(btf.string_at(members[i].name_off) == names[i]);
        CHECK(members[i].bit_offset == offsets[i]);
        CHECK(members[i].bitfield_size == 0);
        CHECK(*btf.resolve_size(members[i].type) == sizes[i]);
    }
    CHECK(btf.type_to_string(members[0].type) == "__u32");
    CHECK(btf.type_to_string(btf.skip_modifiers(members[0].type)) == "unsigned int");
    CHECK(btf.type_to_string(key) == "struct flow_key");

    uint32_t stats = id_of(btf, "stats", BtfKind::Struct);
    CHECK(*btf.resolve_size(stats) == 16);
    CHECK(btf.members(stats)[1].bit_offset == 64);

    uint32_t u64 = id_of(btf, "__u64", BtfKind::Typedef);
    CHECK(btf.kind(btf.skip_modifiers(u64)) == BtfKind::Int);
    CHECK(btf.type(btf.skip_modifiers(u64))->size == 8);
    CHECK(btf.type(btf.skip_modifiers(u64))->int_info.encoding == 0);
}

TEST_CASE("btf: functions and prototypes and qualified types in maps.o") {
    Btf btf = parse_fixture_btf("maps.o");
    uint32_t fn = id_of(btf, "count_packets", BtfKind::Func);
    CHECK(btf.type(fn)->linkage == kBtfLinkageGlobal);
    CHECK(btf.type_to_string(fn) == "int count_packets(struct xdp_md *ctx)");
    uint32_t bump = id_of(btf, "bump", BtfKind::Func);
    CHECK(btf.type(bump)->linkage == kBtfLinkageStatic);
    CHECK(btf.type_to_string(bump) == "__u64 bump(struct stats *s, __u64 len)");
    auto params = btf.params(btf.type(bump)->ref);
    REQUIRE(params.size() == 2);
    CHECK(btf.string_at(params[1].name_off) == "len");
    CHECK(btf.resolve_size(fn).ok() == false);
    CHECK(btf.resolve_size(btf.type(fn)->ref).error().what.find("has no size") != std::string::npos);

    // const volatile __u32 limit -> VAR -> CONST -> VOLATILE -> TYPEDEF __u32
    uint32_t limit = id_of(btf, "limit", BtfKind::Var);
    CHECK(btf.type_to_string(btf.type(limit)->ref) == "const volatile __u32");
    CHECK(btf.type_to_string(limit) == "const volatile __u32 limit");
    CHECK(*btf.resolve_size(limit) == 4);
    CHECK(btf.kind(btf.skip_qualifiers(btf.type(limit)->ref)) == BtfKind::Typedef);
    CHECK(btf.kind(btf.skip_modifiers(btf.type(limit)->ref)) == BtfKind::Int);

    uint32_t scratch = id_of(btf, "scratch", BtfKind::Var);
    CHECK(btf.type_to_string(btf.type(scratch)->ref) == "__u32[4]");
    CHECK(*btf.resolve_size(scratch) == 16);
    CHECK(btf.type_to_string(id_of(btf, "LICENSE", BtfKind::Var)) == "char LICENSE[4]");

    CHECK_FALSE(btf.find_by_name("flow_key", BtfKind::Union).has_value());
    CHECK_FALSE(btf.find_by_name("nope", BtfKind::Struct).has_value());
    CHECK(btf.type(btf.type_count()) == nullptr);
    CHECK(btf.name(99999) == "");
}

TEST_CASE("btf: datasec lookup and layout fixup from the ELF symbol table") {
    auto fx = load_fixture("maps.o");
    auto parsed = parse_btf(fx.section(".BTF"));
    REQUIRE(parsed.ok());
    Btf btf = std::move(parsed).value();

    auto maps = btf.datasec(".maps");
    REQUIRE(maps.has_value());
    CHECK(maps->name == ".maps");
    REQUIRE(maps->vars.size() == 4);
    CHECK(maps->vars[0].name == "counts");
    CHECK(maps->vars[0].size == 32);
    CHECK(maps->vars[2].name == "flows");
    CHECK(maps->vars[2].size == 56);
    CHECK(maps->vars[3].name == "events");
    CHECK(btf.kind(maps->vars[0].var_type_id) == BtfKind::Var);
    CHECK(btf.kind(maps->vars[0].type_id) == BtfKind::Struct);
    // Straight from clang: every offset 0, section size 0.
    CHECK(maps->size == 0);
    CHECK(maps->vars[3].offset == 0);

    for (const char* sec : {".maps", ".data", ".rodata", ".bss"}) {
        CAPTURE(sec);
        uint32_t size = static_cast<uint32_t>(fx.section(sec).size());
        auto ok = btf.fix_datasec_layout(sec, size, [&](std::string_view var) { return fx.symbol_offset(sec, var); });
        REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().to_string()));
    }
    maps = btf.datasec(".maps");
    CHECK(maps->size == 136);
    CHECK(maps->vars[0].offset == 0);
    CHECK(maps->vars[1].name == "sized");
    CHECK(maps->vars[1].offset == 32);
    CHECK(maps->vars[2].offset == 64);
    CHECK(maps->vars[3].offset == 120);

    auto data = btf.datasec(".data");
    REQUIRE(data.has_value());
    REQUIRE(data->vars.size() == 1);
    CHECK(data->vars[0].name == "hits");
    CHECK(data->vars[0].size == 8);
    auto rodata = btf.datasec(".rodata");
    REQUIRE(rodata.has_value());
    CHECK(rodata->vars[0].name == "limit");
    auto bss = btf.datasec(".bss");
    REQUIRE(bss.has_value());
    CHECK(bss->vars[0].name == "scratch");
    CHECK(bss->size == 16);
    CHECK_FALSE(btf.datasec(".kconfig").has_value());

    // A section too small for its variables is refused.
    auto bad = btf.fix_datasec_layout(".bss", 8, [](std::string_view) { return std::optional<uint32_t>(0); });
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().what.find("does not fit") != std::string::npos);
}

TEST_CASE("btf: the kinds tour in types.o") {
    Btf btf = parse_fixture_btf("types.o");
    uint32_t sample = id_of(btf, "sample", BtfKind::Struct);
    CHECK(*btf.resolve_size(sample) == 144);
    auto m = btf.members(sample);
    REQUIRE(m.size() == 16);
    CHECK(btf.type_to_string(m[0].type) == "char[8]");
    CHECK(btf.type_to_string(m[2].type) == "enum color");
    CHECK(btf.type_to_string(m[5].type) == "struct point[2]");
    CHECK(btf.type_to_string(m[6].type) == "__u16[2][3]");
    CHECK(*btf.resolve_size(m[6].type) == 12);
    CHECK(btf.type_to_string(m[7].type) == "union number");
    CHECK(btf.string_at(m[8].name_off) == "");
    CHECK(btf.type_to_string(m[8].type) == "union { ... }");
    CHECK(btf.type_to_string(m[9].type) == "struct { ... }");
    CHECK(m[9].bit_offset == 544);
    CHECK(btf.type_to_string(m[10].type) == "double");
    CHECK(btf.kind(m[10].type) == BtfKind::Float);
    CHECK(btf.type_to_string(m[12].type) == "unsigned __int128");
    CHECK(*btf.resolve_size(m[12].type) == 16);
    CHECK(btf.type_to_string(m[13].type) == "void *");
    CHECK(btf.type_to_string(m[14].type) == "cv_u32");
    CHECK(btf.type_to_string(btf.type(m[14].type)->ref) == "const volatile u32_t");
    CHECK(btf.type_to_string(m[15].type) == "int *");  // the type tag is not C syntax
    CHECK(btf.kind(btf.type(m[15].type)->ref) == BtfKind::TypeTag);
    CHECK(btf.name(btf.type(m[15].type)->ref) == "user");

    // Bitfields: kind_flag struct, offsets and widths decoded.
    uint32_t flags = id_of(btf, "flags", BtfKind::Struct);
    CHECK(btf.type(flags)->kind_flag);
    auto f = btf.members(flags);
    REQUIRE(f.size() == 6);
    const uint32_t offs[] = {0, 3, 8, 12, 14, 15};
    const uint32_t widths[] = {3, 5, 4, 2, 1, 40};
    for (size_t i = 0; i < 6; ++i) {
        CHECK(f[i].bit_offset == offs[i]);
        CHECK(f[i].bitfield_size == widths[i]);
    }

    uint32_t color = id_of(btf, "color", BtfKind::Enum);
    auto values = btf.enum_values(color);
    REQUIRE(values.size() == 3);
    CHECK(btf.string_at(values[2].name_off) == "BLUE");
    CHECK(values[2].value == 2);
    uint32_t sign = id_of(btf, "small_sign", BtfKind::Enum);
    CHECK(btf.type(sign)->size == 1);

    uint32_t deep = id_of(btf, "deep", BtfKind::Struct);
    auto d = btf.members(deep);
    REQUIRE(d.size() == 4);
    CHECK(btf.type_to_string(d[0].type) == "__u64[4]");
    CHECK(btf.type_to_string(d[1].type) == "struct point *");
    CHECK(btf.type_to_string(d[2].type) == "int (*)(int, char *)");
    CHECK(btf.type_to_string(d[3].type) == "int (*)[4]");

    // Decl tags point at what they annotate.
    uint32_t tag = id_of(btf, "deep_tag", BtfKind::DeclTag);
    CHECK(btf.type(tag)->ref == deep);
    CHECK(btf.type(tag)->component_idx == -1);
    uint32_t hot = id_of(btf, "hot", BtfKind::DeclTag);
    CHECK(btf.kind(btf.type(hot)->ref) == BtfKind::Func);
    CHECK(btf.resolve_size(hot).ok() == false);
}

TEST_CASE("btf: hand-built types spell as C") {
    test::BtfBuilder b;
    uint32_t int_t = b.add_int("int", 4, 1, 32);
    uint32_t char_t = b.add_int("char", 1, 1, 8);
    uint32_t cchar = b.add_ref(test::K_CONST, "", char_t);
    uint32_t pcchar = b.add_ref(test::K_PTR, "", cchar);         // const char *
    uint32_t cptr = b.add_ref(test::K_CONST, "", pcchar);        // const char *const
    uint32_t pp = b.add_ref(test::K_PTR, "", cptr);              // const char *const *
    uint32_t proto = b.add_func_proto(int_t, {{"fmt", pcchar}, {"", 0}});  // variadic
    uint32_t fptr = b.add_ref(test::K_PTR, "", proto);
    uint32_t arr_of_fptr = b.add_array(fptr, int_t, 3);
    uint32_t fwd = b.add_raw(b.str("later"), test::btf_info(test::K_FWD, 0, true), 0);
    uint32_t pfwd = b.add_ref(test::K_PTR, "", fwd);
    uint32_t noargs = b.add_func_proto(0, {});
    uint32_t pnoargs = b.add_ref(test::K_PTR, "", noargs);
    auto parsed = parse_btf(b.build());
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().to_string()));
    const Btf& btf = *parsed;
    CHECK(btf.type_to_string(pcchar) == "const char *");
    CHECK(btf.type_to_string(cptr) == "const char *const");
    CHECK(btf.type_to_string(pp) == "const char *const *");
    CHECK(btf.type_to_string(proto) == "int (const char *fmt, ...)");
    CHECK(btf.type_to_string(arr_of_fptr) == "int (*[3])(const char *fmt, ...)");
    CHECK(btf.type_to_string(pfwd) == "union later *");
    CHECK(btf.type_to_string(pnoargs) == "void (*)(void)");
    CHECK(btf.type_to_string(0) == "void");
    CHECK(*btf.resolve_size(arr_of_fptr) == 24);
    CHECK(btf.resolve_size(fwd).error().what.find("fwd") != std::string::npos);
    CHECK(btf.resolve_size(12345).error().what.find("does not exist") != std::string::npos);
}

TEST_CASE("btf: find_by_name gives the lowest id of that name and kind, in a copy too") {
    test::BtfBuilder b;
    const uint32_t int_t = b.add_int("int", 4, 1, 32);
    const uint32_t typedef_s = b.add_ref(test::K_TYPEDEF, "s", int_t);      // "s" as a typedef first
    const uint32_t struct_s = b.add_struct("s", 4, {{"a", int_t, 0}});      // then as a struct
    const uint32_t struct_s2 = b.add_struct("s", 8, {{"b", int_t, 32}});    // a second struct "s"
    const uint32_t union_u = b.add_struct("u", 4, {{"x", int_t, 0}}, false, test::K_UNION);
    b.add_struct("", 4, {{"y", int_t, 0}});                                 // anonymous
    auto parsed = parse_btf(b.build());
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().to_string()));
    const Btf& btf = *parsed;
    CHECK(btf.find_by_name("s", BtfKind::Typedef) == typedef_s);
    CHECK(btf.find_by_name("s", BtfKind::Struct) == struct_s);
    CHECK(struct_s2 > struct_s);
    CHECK(btf.find_by_name("u", BtfKind::Union) == union_u);
    CHECK(btf.find_by_name("u", BtfKind::Struct) == std::nullopt);
    CHECK(btf.find_by_name("int", BtfKind::Int) == int_t);
    CHECK(btf.find_by_name("t", BtfKind::Struct) == std::nullopt);   // between "s" and "u"
    CHECK(btf.find_by_name("zz", BtfKind::Struct) == std::nullopt);  // after every name
    const Btf copy = btf;  // shares the index built above
    CHECK(copy.find_by_name("s", BtfKind::Struct) == struct_s);
    CHECK(Btf().find_by_name("s", BtfKind::Struct) == std::nullopt);
}
