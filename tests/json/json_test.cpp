// The JSON reader: valid documents, every error class with its line and column, deep nesting,
// exact 64-bit integers, and hostile input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/json/json.hpp"

namespace bpfplay {
namespace {

JsonValue ok(std::string_view text, const JsonOptions& options = {}) {
    auto r = parse_json(text, options);
    INFO("input: " << std::string(text.substr(0, 200)));
    if (!r) INFO("error: " << r.error().to_string());
    REQUIRE(r.ok());
    return std::move(r).value();
}

struct Failure {
    uint32_t line = 0;
    std::string what;
};

Failure bad(std::string_view text, const JsonOptions& options = {}) {
    auto r = parse_json(text, options);
    INFO("input: " << std::string(text.substr(0, 200)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Parse);
    REQUIRE(r.error().where.line.has_value());
    return {*r.error().where.line, r.error().what};
}

// "column N: ..." -> N
uint64_t column_of(const Failure& f) {
    REQUIRE(f.what.rfind("column ", 0) == 0);
    return std::stoull(f.what.substr(7));
}

bool mentions(const Failure& f, std::string_view part) {
    return f.what.find(part) != std::string::npos;
}

TEST_CASE("json: scalars at the top level") {
    CHECK(ok("null").is_null());
    CHECK(ok("true").as_bool());
    CHECK(ok("false").is_bool());
    CHECK_FALSE(ok("false").as_bool());
    CHECK(ok("\"hi\"").as_string() == "hi");
    CHECK(ok("  \t\r\n 42 \n").as_int64() == 42);
    CHECK(ok("-7").as_int64() == -7);
    CHECK(ok("0").as_uint64() == 0u);
    CHECK(ok("-0").as_int64() == 0);
    CHECK(ok("-0").as_uint64() == 0u);
    CHECK(ok("1.5").as_double() == 1.5);
    CHECK(ok("1.5").number_text() == "1.5");
    CHECK(ok("-2.5e3").as_double() == -2500.0);
    CHECK(ok("1E+2").as_double() == 100.0);
    CHECK(ok("1e-2").as_double() == doctest::Approx(0.01));
    CHECK(ok("1.5").type() == JsonType::Number);
}

TEST_CASE("json: arrays and objects keep their order and find members by key") {
    JsonValue v = ok(R"({"b": 1, "a": [true, null, "x", 2.5, {}, []], "c": {"d": "e"}})");
    REQUIRE(v.is_object());
    REQUIRE(v.size() == 3);
    CHECK(v.keys()[0] == "b");
    CHECK(v.keys()[1] == "a");
    CHECK(v.keys()[2] == "c");
    CHECK(v.find("b")->as_int64() == 1);
    CHECK(v.find("zz") == nullptr);
    CHECK_FALSE(v.contains("zz"));
    CHECK(v.contains("a"));
    const JsonValue& a = v.get("a");
    REQUIRE(a.is_array());
    REQUIRE(a.size() == 6);
    CHECK(a.at(0)->as_bool());
    CHECK(a.at(1)->is_null());
    CHECK(a.at(2)->as_string() == "x");
    CHECK(a.at(3)->as_double() == 2.5);
    CHECK(a.at(4)->is_object());
    CHECK(a.at(4)->size() == 0);
    CHECK(a.at(5)->is_array());
    CHECK(a.at(6) == nullptr);
    CHECK(v.get("c").get("d").as_string() == "e");
    // Chained lookups through missing members give null, not a crash.
    CHECK(v.get("nope").get("deeper").is_null());
    CHECK(v.get("nope").at(3) == nullptr);
    // Type mismatches are empty answers.
    CHECK(v.get("b").as_string().empty());
    CHECK(v.get("c").as_int64() == std::nullopt);
    CHECK(v.get("c").number_text().empty());
    CHECK(v.at(0) == nullptr);
    CHECK(a.find("x") == nullptr);
    CHECK(v.dump() == R"({"b":1,"a":[true,null,"x",2.5,{},[]],"c":{"d":"e"}})");
}

TEST_CASE("json: empty containers and whitespace everywhere") {
    CHECK(ok("[]").size() == 0);
    CHECK(ok("{}").size() == 0);
    CHECK(ok(" [ ] ").is_array());
    CHECK(ok(" { } ").is_object());
    JsonValue v = ok("\n{\n\t\"k\"\r\n:\n[ 1 ,\n2 ]\n}\n");
    CHECK(v.get("k").size() == 2);
}

TEST_CASE("json: integers are exact across the whole 64-bit range") {
    CHECK(ok("18446744073709551615").as_uint64() == UINT64_MAX);
    CHECK(ok("18446744073709551615").as_int64() == std::nullopt);
    CHECK(ok("18446744073709551616").as_uint64() == std::nullopt);
    CHECK(ok("18446744073709551616").number_text() == "18446744073709551616");
    CHECK(ok("9223372036854775807").as_int64() == INT64_MAX);
    CHECK(ok("9223372036854775807").as_uint64() == uint64_t(INT64_MAX));
    CHECK(ok("9223372036854775808").as_int64() == std::nullopt);
    CHECK(ok("9223372036854775808").as_uint64() == 9223372036854775808ull);
    CHECK(ok("-9223372036854775808").as_int64() == INT64_MIN);
    CHECK(ok("-9223372036854775809").as_int64() == std::nullopt);
    CHECK(ok("-1").as_uint64() == std::nullopt);
    // 2^53 + 1 is not a double, but is an exact integer here.
    CHECK(ok("9007199254740993").as_uint64() == 9007199254740993ull);
    // Fractions and exponents are not integers, even when the value is whole.
    CHECK(ok("1.0").as_int64() == std::nullopt);
    CHECK(ok("1e2").as_uint64() == std::nullopt);
    CHECK(ok("1.0").as_double() == 1.0);
    // Inside documents too.
    JsonValue v = ok(R"({"max": 18446744073709551615, "min": -9223372036854775808})");
    CHECK(v.get("max").as_uint64() == UINT64_MAX);
    CHECK(v.get("min").as_int64() == INT64_MIN);
    // A long run of digits is kept as text.
    std::string huge(400, '9');
    CHECK(ok(huge).number_text() == huge);
    CHECK(ok(huge).as_uint64() == std::nullopt);
    CHECK(ok(huge).as_double() == std::nullopt);  // too large for a double
}

TEST_CASE("json: doubles out of range") {
    CHECK(ok("1e400").as_double() == std::nullopt);
    CHECK(ok("-1e400").as_double() == std::nullopt);
    auto tiny = ok("1e-400").as_double();
    REQUIRE(tiny.has_value());
    CHECK(*tiny == 0.0);
    auto ntiny = ok("-0.000001e-400").as_double();
    REQUIRE(ntiny.has_value());
    CHECK(*ntiny == 0.0);
    CHECK(std::signbit(*ntiny));
    CHECK(ok("1.7976931348623157e308").as_double() == std::numeric_limits<double>::max());
    CHECK(ok("0e99999999999999999999").as_double() == 0.0);
}

TEST_CASE("json: string escapes and UTF-8") {
    CHECK(ok(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").as_string() == "a\"b\\c/d\be\ff\ng\rh\ti");
    CHECK(ok(R"("\u0041\u00e9\u20AC")").as_string() == "A\xC3\xA9\xE2\x82\xAC");
    // A surrogate pair becomes one 4-byte UTF-8 sequence (U+1F600).
    CHECK(ok(R"("\ud83d\ude00")").as_string() == "\xF0\x9F\x98\x80");
    CHECK(ok(R"("\uD834\uDD1E")").as_string() == "\xF0\x9D\x84\x9E");  // U+1D11E
    CHECK(ok(R"("\udbff\udfff")").as_string() == "\xF4\x8F\xBF\xBF");  // U+10FFFF
    // \u0000 is a NUL byte in the string.
    std::string nul = ok(R"("a\u0000b")").as_string();
    CHECK(nul.size() == 3);
    CHECK(nul[1] == '\0');
    // Raw UTF-8 passes through unchanged.
    CHECK(ok("\"h\xC3\xA9llo \xF0\x9F\x98\x80\"").as_string() == "h\xC3\xA9llo \xF0\x9F\x98\x80");
    CHECK(ok("\"\xEF\xBF\xBF\"").as_string() == "\xEF\xBF\xBF");  // U+FFFF is allowed
    CHECK(ok(R"("")").as_string().empty());
    // Keys are decoded too.
    CHECK(ok(R"({"\u006b": 1})").get("k").as_int64() == 1);
    // Round trip through dump.
    JsonValue s = ok(R"("tab\there \"q\" \u0001")");
    CHECK(s.dump() == R"("tab\there \"q\" \u0001")");
    CHECK(ok(s.dump()) == s);
}

TEST_CASE("json: errors report line and column") {
    Failure f = bad("{\n  \"a\": 1,\n  \"b\" 2\n}");
    CHECK(f.line == 3);
    CHECK(column_of(f) == 7);
    CHECK(mentions(f, "expected ':'"));

    f = bad("[1, 2,\n 3,,4]");
    CHECK(f.line == 2);
    CHECK(column_of(f) == 4);

    // Columns count characters, not bytes.
    f = bad("[\"\xC3\xA9\xC3\xA9\", x]");
    CHECK(f.line == 1);
    CHECK(column_of(f) == 8);
    // The Error prints as "line 2: column 4: ...".
    auto r = parse_json("[1, 2,\n 3,,4]");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string().rfind("line 2: column 4: ", 0) == 0);
}

TEST_CASE("json: every error class") {
    SUBCASE("empty input") {
        CHECK(mentions(bad(""), "empty"));
        CHECK(mentions(bad("  \n "), "whitespace"));
    }
    SUBCASE("truncated documents") {
        for (const char* t : {"[", "{", "[1", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "\"abc", "tru", "-",
                              "1.", "1e", "1e+"}) {
            INFO(t);
            Failure f = bad(t);
            CHECK(f.line == 1);
        }
        CHECK(mentions(bad("\"abc"), "never closed"));
        CHECK(column_of(bad("\"abc")) == 1);  // points at the opening quote
        CHECK(mentions(bad("[1"), "expected ',' or ']'"));
        CHECK(mentions(bad("{\"a\":1"), "expected ',' or '}'"));
    }
    SUBCASE("bad literals") {
        CHECK(mentions(bad("nul"), "unknown word 'nul'"));
        CHECK(mentions(bad("True"), "unknown word 'True'"));
        CHECK(mentions(bad("nullx"), "unknown word"));
        CHECK(mentions(bad("[truex]"), "unknown word"));
        CHECK(mentions(bad("NaN"), "unknown word"));
        CHECK(mentions(bad("Infinity"), "unknown word"));
        CHECK(mentions(bad("{\"a\": undefined}"), "unknown word"));
        CHECK(mentions(bad("[hello]"), "strings need quotes"));
    }
    SUBCASE("bad numbers") {
        CHECK(mentions(bad("01"), "may not start with 0"));
        CHECK(mentions(bad("-01"), "may not start with 0"));
        CHECK(mentions(bad("+1"), "may not start with '+'"));
        CHECK(mentions(bad(".5"), "may not start with '.'"));
        CHECK(mentions(bad("1."), "after the decimal point"));
        CHECK(mentions(bad("1.e5"), "after the decimal point"));
        CHECK(mentions(bad("1e"), "exponent"));
        CHECK(mentions(bad("1e+"), "exponent"));
        CHECK(mentions(bad("-"), "after '-'"));
        CHECK(mentions(bad("-a"), "after '-'"));
        CHECK(mentions(bad("0x10"), "after the end"));
        CHECK(mentions(bad("1 2"), "after the end"));
        CHECK(column_of(bad("[1.x]")) == 4);
    }
    SUBCASE("bad strings") {
        CHECK(mentions(bad("\"a\nb\""), "line break inside a string"));
        CHECK(mentions(bad("\"a\tb\""), "control character"));
        CHECK(mentions(bad(std::string_view("\"a\0b\"", 5)), "control character"));
        CHECK(mentions(bad(R"("\x")"), "unknown escape \\x"));
        CHECK(mentions(bad(R"("\U0041")"), "unknown escape"));
        CHECK(mentions(bad(R"("\u12")"), "4 hex digits"));
        CHECK(mentions(bad(R"("\u12g4")"), "4 hex digits"));
        CHECK(mentions(bad(R"("\ud83d")"), "high surrogate"));
        CHECK(mentions(bad(R"("\ud83dx")"), "high surrogate"));
        CHECK(mentions(bad(R"("\ud83d\u0041")"), "high surrogate"));
        CHECK(mentions(bad(R"("\ud83d\ud83d")"), "high surrogate"));
        CHECK(mentions(bad(R"("\ude00")"), "lone low surrogate"));
        CHECK(mentions(bad("'single'"), "double quotes"));
        CHECK(mentions(bad("\"\\"), "never closed"));
    }
    SUBCASE("invalid UTF-8") {
        for (std::string_view t : {"\"\x80\"", "\"\xC0\xAF\"", "\"\xC3\"", "\"\xC3x\"", "\"\xE0\x80\xAF\"",
                                   "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"",
                                   "\"\xFF\"", "\"\xF0\x9F\x98\""}) {
            Failure f = bad(t);
            CHECK(mentions(f, "invalid UTF-8"));
            CHECK(column_of(f) == 2);
        }
    }
    SUBCASE("structure") {
        CHECK(mentions(bad("[1,]"), "trailing commas"));
        CHECK(mentions(bad("{\"a\":1,}"), "trailing commas"));
        CHECK(mentions(bad("[,1]"), "expected a value, found ','"));
        CHECK(mentions(bad("[1 2]"), "expected ',' or ']'"));
        CHECK(mentions(bad("{\"a\" 1}"), "expected ':'"));
        CHECK(mentions(bad("{\"a\":1 \"b\":2}"), "expected ',' or '}'"));
        CHECK(mentions(bad("{1:2}"), "expected a key"));
        CHECK(mentions(bad("{a:2}"), "expected a key"));
        CHECK(mentions(bad("[1}"), "expected ',' or ']'"));
        CHECK(mentions(bad("{\"a\":1]"), "expected ',' or '}'"));
        CHECK(mentions(bad("]"), "expected a value"));
        CHECK(mentions(bad("[1]]"), "after the end"));
        CHECK(mentions(bad("{} {}"), "after the end"));
        CHECK(mentions(bad("[1] // note"), "after the end"));
        CHECK(mentions(bad("/* c */ 1"), "comments"));
        CHECK(mentions(bad("\xEF\xBB\xBF{}"), "byte order mark"));
        CHECK(mentions(bad("\x0c{}"), "expected a value"));  // form feed is not JSON whitespace
        CHECK(mentions(bad("[\x01]"), "byte 0x01"));
    }
    SUBCASE("duplicate keys") {
        Failure f = bad(R"({"a": 1, "b": 2, "a": 3})");
        CHECK(mentions(f, "duplicate key \"a\""));
        CHECK(column_of(f) == 18);
        JsonOptions lax;
        lax.allow_duplicate_keys = true;
        JsonValue v = ok(R"({"a": 1, "a": 3})", lax);
        CHECK(v.size() == 2);
        CHECK(v.get("a").as_int64() == 1);  // the first one
        // The same key in different objects is fine.
        CHECK(ok(R"({"a": {"a": 1}, "b": {"a": 2}})").size() == 2);
    }
}

TEST_CASE("json: nesting up to the depth limit and no further") {
    auto nested = [](size_t n, char open, char close) {
        return std::string(n, open) + std::string(n, close);
    };
    JsonValue v = ok(nested(256, '[', ']'));
    const JsonValue* p = &v;
    size_t depth = 1;
    while (p->size() == 1) {
        p = p->at(0);
        depth++;
    }
    CHECK(depth == 256);
    Failure f = bad(nested(257, '[', ']'));
    CHECK(mentions(f, "nesting deeper than 256"));
    CHECK(column_of(f) == 257);

    std::string objs;
    for (int i = 0; i < 256; i++) objs += "{\"k\":";
    objs += "1";
    for (int i = 0; i < 256; i++) objs += "}";
    CHECK(ok(objs).is_object());
    std::string deeper = "[" + objs + "]";
    CHECK(mentions(bad(deeper), "nesting deeper"));

    // A hostile document: a million open brackets fails fast without exhausting the stack.
    CHECK(mentions(bad(std::string(1'000'000, '[')), "nesting deeper than 256"));
    // Even with the limit set absurdly high, it is capped.
    JsonOptions huge;
    huge.max_depth = UINT32_MAX;
    CHECK(mentions(bad(std::string(1'000'000, '['), huge), "nesting deeper than 10000"));
    CHECK(ok(nested(10000, '[', ']'), huge).is_array());
    JsonOptions small;
    small.max_depth = 2;
    CHECK(ok("[[1]]", small).is_array());
    CHECK(mentions(bad("[[[1]]]", small), "nesting deeper than 2"));
    small.max_depth = 0;
    CHECK(ok("1", small).as_int64() == 1);
    CHECK(mentions(bad("[]", small), "nesting deeper than 0"));
}

TEST_CASE("json: large flat documents") {
    std::string arr = "[";
    for (int i = 0; i < 100000; i++) {
        if (i) arr += ",";
        arr += std::to_string(i);
    }
    arr += "]";
    JsonValue v = ok(arr);
    REQUIRE(v.size() == 100000);
    CHECK(v.at(99999)->as_int64() == 99999);

    std::string obj = "{";
    for (int i = 0; i < 20000; i++) {
        if (i) obj += ",";
        obj += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
    }
    obj += "}";
    JsonValue o = ok(obj);
    CHECK(o.size() == 20000);
    CHECK(o.get("k19999").as_int64() == 19999);
}

TEST_CASE("json: every prefix of a valid document is an error and never crashes") {
    std::string doc =
        R"({"example": "x", "cases": [{"name": "a\u00e9\ud83d\ude00", "n": -12.5e-3, "ok": true,)"
        R"( "none": null, "list": [1, [2, {"k": "v"}], 18446744073709551615]}]})";
    REQUIRE(ok(doc).is_object());
    for (size_t n = 0; n < doc.size(); n++) {
        auto r = parse_json(std::string_view(doc).substr(0, n));
        INFO("prefix length " << n);
        CHECK_FALSE(r.ok());
    }
    // Flipping single bytes gives a result or an error, never a crash.
    for (size_t i = 0; i < doc.size(); i++) {
        for (unsigned char x : {0x01, 0x20, 0x80, 0xFF}) {
            std::string m = doc;
            m[i] = char(static_cast<unsigned char>(m[i]) ^ x);
            auto r = parse_json(m);
            if (!r.ok()) CHECK(r.error().where.line.has_value());
        }
    }
}

TEST_CASE("json: building values and comparing them") {
    JsonValue o = JsonValue::make_object();
    o.add_member("n", JsonValue::make_number_text("5"));
    JsonValue& arr = o.add_member("a", JsonValue::make_array());
    arr.push_back(JsonValue::make_string("s"));
    arr.push_back(JsonValue::make_bool(false));
    arr.push_back(JsonValue::make_null());
    CHECK(o.dump() == R"({"n":5,"a":["s",false,null]})");
    CHECK(ok(o.dump()) == o);
    CHECK_FALSE(ok("1.0") == ok("1"));  // numbers compare by their text
    // Adding to a scalar does nothing to it.
    JsonValue s = JsonValue::make_string("x");
    s.push_back(JsonValue::make_bool(true));
    s.add_member("k", JsonValue());
    CHECK(s.as_string() == "x");
    CHECK(s.size() == 0);
    CHECK(std::string(json_type_name(JsonType::Object)) == "object");
    CHECK(json_quote("a\"\\\n") == R"("a\"\\\n")");
}

}  // namespace
}  // namespace bpfplay
