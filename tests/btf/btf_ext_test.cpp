// .BTF.ext parsing: func_info, line_info (with the source text clang stores) and CO-RE
// relocations from the fixtures; record-size rules on hand-built sections.
#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"

using namespace bpfplay;
using bpfplay::test::load_fixture;

namespace {

struct Parsed {
    Btf btf;
    BtfExt ext;
};

Parsed parse_fixture(const std::string& name) {
    auto fx = load_fixture(name);
    auto btf = parse_btf(fx.section(".BTF"));
    REQUIRE(btf.ok());
    auto ext = parse_btf_ext(fx.section(".BTF.ext"), *btf);
    REQUIRE_MESSAGE(ext.ok(), (ext.ok() ? "" : ext.error().to_string()));
    return Parsed{std::move(btf).value(), std::move(ext).value()};
}

}  // namespace

TEST_CASE("btf.ext: func_info and line_info of maps.o") {
    Parsed p = parse_fixture("maps.o");
    REQUIRE(p.ext.sections.size() == 2);

    const BtfExtSection* xdp = p.ext.section("xdp");
    REQUIRE(xdp != nullptr);
    REQUIRE(xdp->funcs.size() == 1);
    CHECK(xdp->funcs[0].insn_idx == 0);
    CHECK(xdp->funcs[0].name == "count_packets");
    CHECK(p.btf.kind(xdp->funcs[0].type_id) == BtfKind::Func);

    REQUIRE(xdp->lines.size() == 14);
    const BtfLineInfo& first = xdp->lines[0];
    CHECK(first.insn_idx == 0);
    CHECK(first.file == "./maps.c");
    CHECK(first.line == 62);
    CHECK(first.column == 0);
    CHECK(first.text == "int count_packets(struct xdp_md *ctx)");
    const BtfLineInfo& key = xdp->lines[1];
    CHECK(key.insn_idx == 2);
    CHECK(key.line == 64);
    CHECK(key.column == 11);
    CHECK(key.text == "    __u32 key = 0;");
    // clang marks some instructions with line 0: "no source line".
    CHECK(xdp->lines[2].insn_idx == 4);
    CHECK(xdp->lines[2].line == 0);
    CHECK(xdp->lines[2].text == "");
    CHECK(xdp->lines[11].text == "        hits++;");
    CHECK(xdp->lines[11].insn_idx == 18);
    CHECK(xdp->lines[13].text == "}");
    CHECK(xdp->core_relos.empty());

    // Lookup by instruction: the last entry at or before it.
    const BtfLineInfo* at3 = p.ext.line_for("xdp", 3);
    REQUIRE(at3 != nullptr);
    CHECK(at3->line == 64);
    const BtfLineInfo* at19 = p.ext.line_for("xdp", 19);
    REQUIRE(at19 != nullptr);
    CHECK(at19->line == 70);
    CHECK(p.ext.line_for("nope", 0) == nullptr);

    const BtfExtSection* text = p.ext.section(".text");
    REQUIRE(text != nullptr);
    REQUIRE(text->funcs.size() == 1);
    CHECK(text->funcs[0].name == "bump");
    REQUIRE(text->lines.size() == 3);
    CHECK(text->lines[0].line == 57);
    CHECK(text->lines[0].column == 14);
    CHECK(text->lines[0].text == "    s->bytes += len;");
    CHECK(text->lines[2].insn_idx == 6);
    CHECK(text->lines[2].text == "    return s->packets;");
}

TEST_CASE("btf.ext: two functions in one section") {
    Parsed p = parse_fixture("map_in_map.o");
    const BtfExtSection* xdp = p.ext.section("xdp");
    REQUIRE(xdp != nullptr);
    REQUIRE(xdp->funcs.size() == 2);
    CHECK(xdp->funcs[0].name == "tail_target");
    CHECK(xdp->funcs[0].insn_idx == 0);
    CHECK(xdp->funcs[1].name == "entry");
    CHECK(xdp->funcs[1].insn_idx == 2);
    REQUIRE(xdp->lines.size() == 3);
    CHECK(xdp->lines[1].text == "    bpf_tail_call(ctx, &jumps, 1);");
    CHECK(xdp->lines[1].line == 54);
    CHECK(xdp->lines[1].file == "./map_in_map.c");
}

TEST_CASE("btf.ext: CO-RE relocations of types.o") {
    Parsed p = parse_fixture("types.o");
    const BtfExtSection* text = p.ext.section(".text");
    REQUIRE(text != nullptr);
    REQUIRE(text->core_relos.size() == 2);
    uint32_t task = *p.btf.find_by_name("task_like", BtfKind::Struct);
    CHECK(text->core_relos[0].insn_idx == 0);
    CHECK(text->core_relos[0].type_id == task);
    CHECK(text->core_relos[0].access == "0:1");  // t->tgid
    CHECK(text->core_relos[0].kind == BtfCoreReloKind::FieldByteOffset);
    CHECK(std::string(btf_core_relo_kind_name(text->core_relos[0].kind)) == "byte_off");
    CHECK(text->core_relos[1].insn_idx == 1);
    CHECK(text->core_relos[1].access == "0:2:1");  // t->nest.width
    CHECK(text->funcs[0].name == "core_reads");

    const BtfExtSection* tp = p.ext.section("tp/test");
    REQUIRE(tp != nullptr);
    CHECK(tp->funcs[0].name == "prog");
    CHECK(tp->core_relos.size() == 2);  // core_reads was inlined here
    REQUIRE(tp->lines.size() == 6);
    CHECK(tp->lines[3].text == "    return core_reads(ctx) + g_sample.color;");
    CHECK(tp->lines[3].column == 39);
}

TEST_CASE("btf.ext: views outlive the Btf they were parsed with") {
    auto fx = load_fixture("maps.o");
    BtfExt ext;
    {
        auto btf = parse_btf(fx.section(".BTF"));
        REQUIRE(btf.ok());
        auto parsed = parse_btf_ext(fx.section(".BTF.ext"), *btf);
        REQUIRE(parsed.ok());
        ext = std::move(parsed).value();
    }
    REQUIRE(ext.section("xdp") != nullptr);
    CHECK(ext.section("xdp")->lines[1].text == "    __u32 key = 0;");
}

TEST_CASE("btf.ext: larger records are skipped over as libbpf does") {
    test::BtfBuilder b;
    uint32_t int_t = b.add_int("int", 4, 1, 32);
    uint32_t proto = b.add_func_proto(int_t, {});
    uint32_t fn = b.add_ref(test::K_FUNC, "f", proto);
    uint32_t sec = b.str("xdp");
    uint32_t file = b.str("a.c");
    uint32_t line = b.str("return 0;");
    auto btf = parse_btf(b.build());
    REQUIRE(btf.ok());

    test::ExtBlock func{12, {{sec, 2, {0, fn, 0xdead, 16, fn, 0xbeef}}}, true};  // 4 extra bytes each
    test::ExtBlock lines{20, {{sec, 1, {8, file, line, (7u << 10) | 3, 0}}}, true};
    test::ExtBlock none;
    auto ext = parse_btf_ext(test::build_btf_ext(func, lines, none), *btf);
    REQUIRE_MESSAGE(ext.ok(), (ext.ok() ? "" : ext.error().to_string()));
    const BtfExtSection* s = ext->section("xdp");
    REQUIRE(s != nullptr);
    REQUIRE(s->funcs.size() == 2);
    CHECK(s->funcs[1].insn_idx == 2);
    CHECK(s->funcs[1].name == "f");
    REQUIRE(s->lines.size() == 1);
    CHECK(s->lines[0].insn_idx == 1);
    CHECK(s->lines[0].line == 7);
    CHECK(s->lines[0].column == 3);
    CHECK(s->lines[0].file == "a.c");
    CHECK(s->lines[0].text == "return 0;");
}
