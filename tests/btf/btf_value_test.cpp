// The BTF-driven printer: the initialized globals of types.o, read from its .data
// section, must print as their C initializers say; plus hand-built edge cases.
#include <cmath>
#include <cstring>

#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"
#include "core/btf/btf_value.hpp"

using namespace bpfplay;
using bpfplay::test::BtfBuilder;
using bpfplay::test::load_fixture;

namespace {

struct TypesFixture {
    test::ElfFixture fx;
    Btf btf;
    uint32_t sample = 0;
    std::vector<uint8_t> sample_bytes;
    std::vector<uint8_t> deep_bytes;
};

TypesFixture load_types() {
    TypesFixture t;
    t.fx = load_fixture("types.o");
    auto btf = parse_btf(t.fx.section(".BTF"));
    REQUIRE(btf.ok());
    t.btf = std::move(btf).value();
    const auto& data = t.fx.section(".data");
    REQUIRE(t.btf.fix_datasec_layout(".data", static_cast<uint32_t>(data.size()), [&](std::string_view v) {
        return t.fx.symbol_offset(".data", v);
    }).ok());
    t.sample = *t.btf.find_by_name("sample", BtfKind::Struct);
    auto sec = t.btf.datasec(".data");
    REQUIRE(sec.has_value());
    for (const auto& v : sec->vars) {
        std::vector<uint8_t> bytes(data.begin() + v.offset, data.begin() + v.offset + v.size);
        if (v.name == "g_sample") t.sample_bytes = bytes;
        if (v.name == "g_deep") t.deep_bytes = bytes;
    }
    REQUIRE(t.sample_bytes.size() == 144);
    REQUIRE(t.deep_bytes.size() == 56);
    return t;
}

const char* const kSampleJson =
    R"({"name":"eth0","raw":[1,2,3,4],"color":"BLUE","sign":"NEG",)"
    R"("fl":{"a":5,"b":17,"c":-3,"tint":"GREEN","on":true,"wide":78187493530},)"
    R"("pts":[{"x":1,"y":-2},{"x":3,"y":-4}],"grid":[[1,2,3],[4,5,6]],)"
    R"("num":{"u":1065353216,"i":1065353216,"f":1.0},"tag_u":42,"tag_s":42,"lo":7,"hi":9,)"
    R"("ratio":0.5,"ok":true,"big":"0x0","ptr":"0x0","cv":12,"tagged":"0x0"})";

const char* const kDeepJson = R"({"vals":[1,2,3,4],"next":"0x0","fn":"0x0","arr_ptr":"0x0"})";

}  // namespace

TEST_CASE("printer: g_sample prints as its C initializer") {
    TypesFixture t = load_types();
    Value v = format_value(t.btf, t.sample, t.sample_bytes);
    CHECK(to_json(v) == kSampleJson);
    CHECK(to_c_text(v) ==
          "{ .name = \"eth0\", .raw = { 1, 2, 3, 4 }, .color = BLUE, .sign = NEG, "
          ".fl = { .a = 5, .b = 17, .c = -3, .tint = GREEN, .on = true, .wide = 78187493530 }, "
          ".pts = { { .x = 1, .y = -2 }, { .x = 3, .y = -4 } }, .grid = { { 1, 2, 3 }, { 4, 5, 6 } }, "
          ".num = { .u = 1065353216, .i = 1065353216, .f = 1.0 }, .tag_u = 42, .tag_s = 42, .lo = 7, .hi = 9, "
          ".ratio = 0.5, .ok = true, .big = 0x0, .ptr = 0x0, .cv = 12, .tagged = 0x0 }");
    // The tree itself: typed leaves, members in declaration order.
    REQUIRE(v.kind == Value::Kind::Object);
    CHECK(v.keys.front() == "name");
    CHECK(v.get("fl")->get("c")->kind == Value::Kind::Int);
    CHECK(v.get("fl")->get("wide")->kind == Value::Kind::Uint);
    CHECK(v.get("color")->style == Value::Style::Symbol);
    CHECK(v.get("ptr")->style == Value::Style::Hex);
}

TEST_CASE("printer: the VAR and its struct and the whole DATASEC agree") {
    TypesFixture t = load_types();
    uint32_t var = *t.btf.find_by_name("g_sample", BtfKind::Var);
    CHECK(to_json(format_value(t.btf, var, t.sample_bytes)) == kSampleJson);
    uint32_t deep = *t.btf.find_by_name("deep", BtfKind::Struct);
    CHECK(to_json(format_value(t.btf, deep, t.deep_bytes)) == kDeepJson);

    uint32_t data = *t.btf.find_by_name(".data", BtfKind::Datasec);
    Value all = format_value(t.btf, data, t.fx.section(".data"));
    CHECK(to_json(all) == std::string(R"({"g_sample":)") + kSampleJson + R"(,"g_deep":)" + kDeepJson + "}");
}

TEST_CASE("printer: changed bytes show unmatched enums and big ints and pointers and raw char arrays") {
    TypesFixture t = load_types();
    std::vector<uint8_t> b = t.sample_bytes;
    b[12] = 7;                     // color: no enumerator 7
    b[16] = 5;                     // sign (1-byte enum): no enumerator 5
    std::memcpy(&b[0], "eth0\x01\x02\x03\x04", 8);  // name: no NUL -> not a string
    b[96] = 2;                     // big = (1 << 64) | 2
    b[104] = 1;
    const uint64_t ptr = 0xffff888012345678ull;
    std::memcpy(&b[112], &ptr, 8);
    const double ratio = -1.25;
    std::memcpy(&b[72], &ratio, 8);
    Value v = format_value(t.btf, t.sample, b);
    CHECK(to_json(*v.get("name")) == "[101,116,104,48,1,2,3,4]");
    CHECK(to_json(*v.get("color")) == "7");
    CHECK(to_json(*v.get("sign")) == "5");
    CHECK(to_json(*v.get("big")) == R"("0x10000000000000002")");
    CHECK(to_c_text(*v.get("big")) == "0x10000000000000002");
    CHECK(to_json(*v.get("ptr")) == R"("0xffff888012345678")");
    CHECK(to_c_text(*v.get("ptr")) == "0xffff888012345678");
    CHECK(to_json(*v.get("ratio")) == "-1.25");
}

TEST_CASE("printer: too few bytes give an error node and never a read past the span") {
    TypesFixture t = load_types();
    std::vector<uint8_t> shortened(t.sample_bytes.begin(), t.sample_bytes.begin() + 100);
    Value v = format_value(t.btf, t.sample, shortened);
    CHECK(to_json(v) == R"({"$error":"struct sample needs 144 bytes, only 100 available"})");
    CHECK(to_c_text(v) == "/* error: struct sample needs 144 bytes, only 100 available */");
    Value none = format_value(t.btf, t.sample, {});
    CHECK(none.kind == Value::Kind::Error);
    // A DATASEC whose variables don't fit in the bytes given.
    uint32_t data = *t.btf.find_by_name(".data", BtfKind::Datasec);
    Value partial = format_value(t.btf, data, t.sample_bytes);
    CHECK(to_json(partial) == std::string(R"({"g_sample":)") + kSampleJson +
                                  R"(,"g_deep":{"$error":"variable runs past the section data"}})");
    // Types with no value.
    uint32_t fn = *t.btf.find_by_name("prog", BtfKind::Func);
    CHECK(to_json(format_value(t.btf, fn, t.sample_bytes)) == R"({"$error":"func has no value to show"})");
    CHECK(format_value(t.btf, 99999, t.sample_bytes).kind == Value::Kind::Error);
}

TEST_CASE("printer: hand-built scalars and legacy bitfields and enums") {
    BtfBuilder b;
    uint32_t u8 = b.add_int("unsigned char", 1, 0, 8);
    uint32_t s16 = b.add_int("short", 2, 1, 16);
    uint32_t s64 = b.add_int("long long", 8, 1, 64);
    uint32_t boolean = b.add_int("_Bool", 1, 4, 8);
    uint32_t legacy = b.add_int("int", 4, 1, 3);   // old-style bitfield: width in the int
    uint32_t flt = b.add_raw(b.str("float"), test::btf_info(test::K_FLOAT, 0), 4);
    uint32_t ldbl = b.add_raw(b.str("long double"), test::btf_info(test::K_FLOAT, 0), 16);
    uint32_t senum = b.add_enum("level", 4, {{"LOW", -5}, {"HIGH", 5}}, /*signed*/ true);
    uint32_t e64 = b.add_raw(b.str("big_enum"), test::btf_info(test::K_ENUM64, 1), 8, {b.str("HUGE"), 0x1, 0x80000000});
    uint32_t s = b.add_struct("mix", 24,
                              {{"tiny", legacy, 4},  // bits 4..6, kind_flag 0
                               {"level", senum, 32},
                               {"flag", boolean, 64},
                               {"small", s16, 80},
                               {"f", flt, 96},
                               {"big", e64, 128}});
    uint32_t schar = b.add_int("char", 1, 1, 8);
    uint32_t chars = b.add_array(schar, u8, 4);
    uint32_t bytes4 = b.add_array(u8, u8, 4);
    uint32_t many = b.add_array(u8, u8, 10);
    auto parsed = parse_btf(b.build());
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().to_string()));
    const Btf& btf = *parsed;

    std::vector<uint8_t> bytes(24, 0);
    bytes[0] = 0x50;  // tiny = 0b101 -> signed 3-bit -> -3
    int32_t low = -5;
    std::memcpy(&bytes[4], &low, 4);
    bytes[8] = 2;     // any non-zero bool is true
    int16_t small = -300;
    std::memcpy(&bytes[10], &small, 2);
    float tenth = 0.1f;
    std::memcpy(&bytes[12], &tenth, 4);
    uint64_t huge = 0x8000000000000001ull;
    std::memcpy(&bytes[16], &huge, 8);
    CHECK(to_json(format_value(btf, s, bytes)) ==
          R"({"tiny":-3,"level":"LOW","flag":true,"small":-300,"f":0.1,"big":"HUGE"})");
    int32_t other = -6;
    std::memcpy(&bytes[4], &other, 4);
    CHECK(to_json(*format_value(btf, s, bytes).get("level")) == "-6");

    std::vector<uint8_t> eight(8, 0xff);
    CHECK(to_json(format_value(btf, s64, eight)) == "-1");
    CHECK(to_json(format_value(btf, u8, eight)) == "255");
    CHECK(to_json(format_value(btf, chars, std::vector<uint8_t>{'h', 'i', 0, 0})) == R"("hi")");
    // A byte after the NUL would be lost by "hi" (bpftool shows "hi"): numbers, lossless.
    CHECK(to_json(format_value(btf, chars, std::vector<uint8_t>{'h', 'i', 0, 'x'})) == "[104,105,0,120]");
    CHECK(to_json(format_value(btf, chars, std::vector<uint8_t>{'h', '\n', 0, 0})) == "[104,10,0,0]");
    CHECK(to_json(format_value(btf, bytes4, std::vector<uint8_t>{'h', 'i', 0, 0})) == "[104,105,0,0]");  // u8 is not char

    std::vector<uint8_t> f(4);
    float nan = std::nanf("");
    std::memcpy(f.data(), &nan, 4);
    CHECK(to_json(format_value(btf, flt, f)) == R"("nan")");
    CHECK(to_c_text(format_value(btf, flt, f)) == "NAN");
    float big = 3e38f;
    std::memcpy(f.data(), &big, 4);
    CHECK(to_json(format_value(btf, flt, f)) == "3e+38");
    std::vector<uint8_t> sixteen(16, 0);
    sixteen[15] = 0x40;
    CHECK(to_json(format_value(btf, ldbl, sixteen)) == R"("0x40000000000000000000000000000000")");

    // The node budget cuts long output off with an error node.
    FormatOptions tight;
    tight.max_nodes = 4;
    Value cut = format_value(btf, many, std::vector<uint8_t>(10, 1), tight);
    CHECK(to_json(cut) == R"([1,1,1,{"$error":"output truncated after 4 values"}])");
}

TEST_CASE("printer: JSON and C text escaping") {
    Value v = Value::object();
    v.add("quote\"back\\slash", Value::string("tab\there\nnl \x01 \xc3\xa9"));
    v.add("empty", Value::array());
    v.add("e", Value::error("bad */ thing"));
    v.add("neg_inf", Value::floating(-INFINITY));
    v.add("one", Value::floating(1.0));
    v.add("null", Value::null());
    CHECK(to_json(v) == R"({"quote\"back\\slash":"tab\there\nnl \u0001 \u00c3\u00a9","empty":[],)"
                        R"("e":{"$error":"bad */ thing"},"neg_inf":"-inf","one":1.0,"null":null})");
    CHECK(to_c_text(v) == R"({ .quote"back\slash = "tab\there\nnl \001 \303\251", .empty = {}, )"
                          R"(.e = /* error: bad * / thing */, .neg_inf = -INFINITY, .one = 1.0, .null = NULL })");
}
