// The encoder (btf_encode.hpp), the printer read backwards: every value the printer writes for
// types.o's globals reads back to the exact bytes, hand-written values decode to what was
// written, and each kind of mistake gives its own message naming the path.
#include <cstring>

#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"
#include "core/btf/btf_encode.hpp"
#include "core/btf/btf_value.hpp"

using namespace bpfplay;
using bpfplay::test::BtfBuilder;
using bpfplay::test::load_fixture;

namespace {

struct Types {
    test::ElfFixture fx;
    Btf btf;
    uint32_t sample = 0, deep = 0, data = 0;
    std::vector<uint8_t> sample_bytes, deep_bytes;
};

Types load_types() {
    Types t;
    t.fx = load_fixture("types.o");
    auto btf = parse_btf(t.fx.section(".BTF"));
    REQUIRE(btf.ok());
    t.btf = std::move(btf).value();
    const auto& data = t.fx.section(".data");
    REQUIRE(t.btf
                .fix_datasec_layout(".data", static_cast<uint32_t>(data.size()),
                                    [&](std::string_view v) { return t.fx.symbol_offset(".data", v); })
                .ok());
    t.sample = *t.btf.find_by_name("sample", BtfKind::Struct);
    t.deep = *t.btf.find_by_name("deep", BtfKind::Struct);
    t.data = *t.btf.find_by_name(".data", BtfKind::Datasec);
    const auto sec = t.btf.datasec(".data");
    REQUIRE(sec.has_value());
    for (const auto& v : sec->vars) {
        std::vector<uint8_t> bytes(data.begin() + v.offset, data.begin() + v.offset + v.size);
        if (v.name == "g_sample") t.sample_bytes = bytes;
        if (v.name == "g_deep") t.deep_bytes = bytes;
    }
    REQUIRE(t.sample_bytes.size() == 144);
    return t;
}

std::vector<uint8_t> encoded(const Btf& btf, uint32_t id, const std::string& json) {
    auto r = encode_value_json(btf, id, json);
    if (!r) FAIL_CHECK(r.error().what);
    return r ? *r : std::vector<uint8_t>{};
}

std::string error_of(const Btf& btf, uint32_t id, const std::string& json, std::string_view root = "value") {
    auto r = encode_value_json(btf, id, json, root);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Parse);
    return r.error().what;
}

std::string hex_of(const std::vector<uint8_t>& b) {
    std::string s;
    for (uint8_t x : b)
        s += "0123456789abcdef"[x >> 4], s += "0123456789abcdef"[x & 15];
    return s;
}

std::string decoded(const Btf& btf, uint32_t id, const std::vector<uint8_t>& bytes) {
    return to_json(format_value(btf, id, bytes));
}

} // namespace

TEST_CASE(
    "encoder: what the printer writes for g_sample, g_deep and all of .data reads back to the same bytes") {
    Types t = load_types();
    CHECK(encoded(t.btf, t.sample, decoded(t.btf, t.sample, t.sample_bytes)) == t.sample_bytes);
    CHECK(encoded(t.btf, t.deep, decoded(t.btf, t.deep, t.deep_bytes)) == t.deep_bytes);
    const auto& section = t.fx.section(".data");
    CHECK(encoded(t.btf, t.data, decoded(t.btf, t.data, section)) == section);
}

TEST_CASE("section bytes no variable covers are shown as hex and read back") {
    // types.o's .data with 8 more bytes than its variables cover, as clang leaves a section
    // holding an unnamed constant (a local array's initializer) besides the globals.
    test::ElfFixture fx = load_fixture("types.o");
    auto parsed = parse_btf(fx.section(".BTF"));
    REQUIRE(parsed.ok());
    Btf btf = std::move(parsed).value();
    std::vector<uint8_t> bytes = fx.section(".data");
    const size_t gap = bytes.size() + 3;
    bytes.resize(bytes.size() + 8);
    REQUIRE(btf.fix_datasec_layout(".data", static_cast<uint32_t>(bytes.size()),
                                   [&](std::string_view v) { return fx.symbol_offset(".data", v); })
                .ok());
    const uint32_t data = *btf.find_by_name(".data", BtfKind::Datasec);
    // All zero: nothing extra is shown (a zero byte is what a missing entry encodes to).
    CHECK(decoded(btf, data, bytes).find("(bytes") == std::string::npos);
    CHECK(encoded(btf, data, decoded(btf, data, bytes)) == bytes);
    bytes[gap] = 0xab;
    bytes[gap + 2] = 0xcd;
    const std::string key = "(bytes " + std::to_string(gap) + "-" + std::to_string(gap + 2) + ")";
    const std::string shown = decoded(btf, data, bytes);
    CHECK(shown.find("\"" + key + "\":\"ab00cd\"") != std::string::npos);
    CHECK(encoded(btf, data, shown) == bytes);
    CHECK(to_c_text(format_value(btf, data, bytes)).find("/* " + key.substr(1, key.size() - 2) + ": ab00cd */") !=
          std::string::npos);
    CHECK(error_of(btf, data, "{\"" + key + "\":\"abcd\"}") ==
          "value." + key + ": expected a hex string of 3 bytes, not \"abcd\"");
    CHECK(error_of(btf, data, "{\"(bytes 3-1)\":\"ab\"}").find("unknown variable") != std::string::npos);
}

TEST_CASE("encoder: unmatched enums, 128-bit ints, pointers and char arrays without a NUL read back") {
    Types t = load_types();
    std::vector<uint8_t> b = t.sample_bytes;
    b[12] = 7; // color: no enumerator 7
    b[16] = 5; // sign: no enumerator 5
    std::memcpy(&b[0], "eth0\x01\x02\x03\x04", 8);
    b[96] = 2; // big = (1 << 64) | 2
    b[104] = 1;
    const uint64_t ptr = 0xffff888012345678ull;
    std::memcpy(&b[112], &ptr, 8);
    CHECK(encoded(t.btf, t.sample, decoded(t.btf, t.sample, b)) == b);
}

TEST_CASE("encoder: a value written by hand decodes to exactly what was written") {
    Types t = load_types();
    const std::string x =
        R"({"name":"lo","raw":[-1,0,7,9],"color":"GREEN","sign":"ZERO",)"
        R"("fl":{"a":7,"b":31,"c":-8,"tint":"BLUE","on":false,"wide":1099511627775},)"
        R"("pts":[{"x":-2147483648,"y":2147483647},{"x":0,"y":0}],"grid":[[65535,0,1],[2,3,4]],)"
        R"("num":{"u":3212836864,"i":-1082130432,"f":-1.0},"tag_u":4294967295,"tag_s":-1,"lo":255,"hi":0,)"
        R"("ratio":-2.5,"ok":false,"big":"0xffffffffffffffffffffffffffffffff","ptr":"0xffff888012345678",)"
        R"("cv":4294967295,"tagged":"0x10"})";
    CHECK(decoded(t.btf, t.sample, encoded(t.btf, t.sample, x)) == x);
}

TEST_CASE("encoder: missing members and elements are zero, as in a C initializer") {
    Types t = load_types();
    std::vector<uint8_t> want(144, 0);
    want[12] = 2;    // color = BLUE
    want[32] = 0xfe; // pts[0].x = -2
    std::memset(&want[33], 0xff, 3);
    const auto got = encoded(t.btf, t.sample, R"({"color":"BLUE","pts":[{"x":-2}]})");
    CHECK(hex_of(got) == hex_of(want));
    CHECK(encoded(t.btf, t.sample, "{}") == std::vector<uint8_t>(144, 0));
}

TEST_CASE("encoder: numbers may be strings (decimal or hex) so 64-bit values survive JavaScript") {
    BtfBuilder b;
    const uint32_t s64 = b.add_int("long long", 8, 1, 64);
    const uint32_t u64 = b.add_int("unsigned long long", 8, 0, 64);
    const uint32_t u16 = b.add_ref(test::K_TYPEDEF, "__u16", b.add_int("unsigned short", 2, 0, 16));
    auto btf = parse_btf(b.build());
    REQUIRE(btf.ok());
    const std::vector<uint8_t> ones(8, 0xff);
    CHECK(encoded(*btf, u64, R"("18446744073709551615")") == ones);
    CHECK(encoded(*btf, u64, "18446744073709551615") == ones);
    CHECK(encoded(*btf, u64, R"("0xffffffffffffffff")") == ones);
    CHECK(encoded(*btf, s64, R"("-1")") == ones);
    CHECK(encoded(*btf, s64, "-9223372036854775808") == std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0x80});
    CHECK(encoded(*btf, u16, "true") == std::vector<uint8_t>{1, 0});
    CHECK(error_of(*btf, s64, "-9223372036854775809") ==
          "value: -9223372036854775809 does not fit in long long (-9223372036854775808 to "
          "9223372036854775807)");
    CHECK(error_of(*btf, u64, R"("18446744073709551616")") ==
          "value: 18446744073709551616 does not fit in unsigned long long (0 to 18446744073709551615)");
    CHECK(error_of(*btf, u64, R"("12a")") == R"(value: "12a" is not a number (write 42, "42" or "0x2a"))");
    CHECK(error_of(*btf, u16, "70000", "key") == "key: 70000 does not fit in __u16 (0 to 65535)");
    CHECK(error_of(*btf, u16, R"("-1")") == "value: -1 does not fit in __u16 (0 to 65535)");
}

TEST_CASE("encoder: union members given together must agree on their shared bytes") {
    Types t = load_types();
    auto ok = encode_value_json(t.btf, t.sample, R"({"num":{"u":1065353216,"f":1.0}})");
    CHECK(ok.ok());
    CHECK(error_of(t.btf, t.sample, R"({"num":{"u":1,"i":2}})") ==
          "value.num.i: gives byte 60 a different value than a union member given before it; give only one "
          "member of a union");
    CHECK(error_of(t.btf, t.sample, R"({"tag_u":1,"tag_s":-1})") ==
          "value.tag_s: gives byte 64 a different value than a union member given before it; give only one "
          "member of a union");
}

TEST_CASE("encoder: every mistake names the path and says what is wrong") {
    Types t = load_types();
    CHECK(
        error_of(t.btf, t.sample, R"({"foo":1})") ==
        R"(value: unknown field "foo" (struct sample has name, raw, color, sign, fl, pts, grid, num, tag_u, tag_s, lo, hi, ...))");
    CHECK(error_of(t.btf, t.sample, R"({"pts":[{"x":1,"z":2}]})") ==
          R"(value.pts[0]: unknown field "z" (struct point has x, y))");
    CHECK(error_of(t.btf, t.sample, R"({"grid":[[1,2,3],[4,5,70000]]})") ==
          "value.grid[1][2]: 70000 does not fit in __u16 (0 to 65535)");
    CHECK(error_of(t.btf, t.sample, R"({"lo":-1})") == "value.lo: -1 does not fit in __u8 (0 to 255)");
    CHECK(error_of(t.btf, t.sample, R"({"fl":{"a":8}})") ==
          "value.fl.a: 8 does not fit in unsigned int : 3 (0 to 7)");
    CHECK(error_of(t.btf, t.sample, R"({"fl":{"c":-9}})") ==
          "value.fl.c: -9 does not fit in int : 4 (-8 to 7)");
    CHECK(error_of(t.btf, t.sample, R"({"fl":{"tint":"RED ","wide":1}})") ==
          R"(value.fl.tint: "RED " is not an enumerator of enum color : 2 (RED, GREEN, BLUE))");
    CHECK(error_of(t.btf, t.sample, R"({"color":"PURPLE"})") ==
          R"(value.color: "PURPLE" is not an enumerator of enum color (RED, GREEN, BLUE))");
    CHECK(error_of(t.btf, t.sample, R"({"name":"ethernet"})") ==
          R"(value.name: "ethernet" is 8 characters; char[8] holds 7 and the closing NUL)");
    CHECK(error_of(t.btf, t.sample, R"({"pts":[{},{},{}]})") ==
          "value.pts: 3 elements given; struct point[2] holds 2");
    CHECK(error_of(t.btf, t.sample, R"({"pts":{"x":1}})") ==
          "value.pts: expected an array for struct point[2], not an object");
    CHECK(error_of(t.btf, t.sample, R"({"fl":[1]})") ==
          "value.fl: expected an object for struct flags, not an array");
    CHECK(error_of(t.btf, t.sample, R"({"pts":[{"x":{}}]})") ==
          "value.pts[0].x: expected a number for int, not an object");
    CHECK(error_of(t.btf, t.sample, R"({"cv":null})") == "value.cv: expected a number for cv_u32, not null");
    CHECK(error_of(t.btf, t.sample, R"({"lo":1.5})") ==
          "value.lo: 1.5 is not an integer; __u8 holds integers (write them without . or e)");
    CHECK(error_of(t.btf, t.sample, R"({"lo":"abc"})") ==
          R"(value.lo: "abc" is not a number (write 42, "42" or "0x2a"))");
    CHECK(error_of(t.btf, t.sample, R"({"ok":2})") == "value.ok: expected true or false for _Bool, not 2");
    CHECK(error_of(t.btf, t.sample, R"({"num":{"f":1e300}})") == "value.num.f: 1e300 does not fit in float");
    CHECK(error_of(t.btf, t.sample, R"({"ptr":-1})") ==
          "value.ptr: -1 is not an address (0 to 0xffffffffffffffff)");
    CHECK(error_of(t.btf, t.sample, "[1]") == "value: expected an object for struct sample, not an array");
    CHECK(error_of(t.btf, t.data, R"({"g_nope":1})") ==
          R"(value: unknown variable "g_nope" (this section has g_sample, g_deep))");
    CHECK(error_of(t.btf, t.sample, R"({"lo":1,})").rfind("value: line 1: column 9: ", 0) == 0);
}
