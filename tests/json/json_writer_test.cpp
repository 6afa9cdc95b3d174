#include <doctest/doctest.h>

#include "core/json/error_json.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"

using namespace bpfplay;

TEST_CASE("JsonWriter puts the commas and quotes itself") {
    JsonWriter w;
    w.begin_object().member("pc", 3).member("name", "x\"y").member("ok", true).key("list").begin_array();
    w.value(uint64_t(18446744073709551615ull)).value(int64_t(-1)).null().begin_object().end_object();
    w.end_array().key("empty").begin_array().end_array().key("raw").raw("{\"a\":1}").end_object();
    CHECK(w.text() == R"({"pc":3,"name":"x\"y","ok":true,"list":[18446744073709551615,-1,null,{}],"empty":[],"raw":{"a":1}})");
    CHECK(bool(parse_json(w.text())));
}

TEST_CASE("JsonWriter::members writes members for a reply object someone else opens") {
    JsonWriter w = JsonWriter::members();
    w.member("a", 1).key("b").values(std::vector<std::string>{"x", "y"});
    CHECK(w.text() == R"("a":1,"b":["x","y"])");
}

TEST_CASE("JsonLayout::Lines: the top object and its arrays one item per line, deeper items inline") {
    JsonWriter w(JsonLayout::Lines);
    w.begin_object().member("cpu", 0).key("task").begin_object().member("pid", 1).member("comm", "a").end_object();
    w.key("devices").begin_array().begin_object().member("id", 1).key("ipv4").values(std::vector<std::string>{"a", "b"});
    w.end_object().begin_object().member("id", 2).end_object().end_array().key("none").begin_array().end_array();
    w.end_object();
    CHECK(w.text() == "{\n"
                      "  \"cpu\": 0,\n"
                      "  \"task\": {\"pid\": 1, \"comm\": \"a\"},\n"
                      "  \"devices\": [\n"
                      "    {\"id\": 1, \"ipv4\": [\"a\", \"b\"]},\n"
                      "    {\"id\": 2}\n"
                      "  ],\n"
                      "  \"none\": []\n"
                      "}");
}

TEST_CASE("json_quote: UTF-8 passes through; JsonText::Ascii escapes every byte from 0x7f as Latin-1") {
    CHECK(json_quote("a\xC3\xA9\n") == "\"a\xC3\xA9\\n\"");
    CHECK(json_quote("a\xC3\xA9\x7f\x01", JsonText::Ascii) == R"("a\u00c3\u00a9\u007f\u0001")");
    JsonWriter w(JsonLayout::Compact, JsonText::Ascii);
    w.begin_object().member("\xff", "\xC3\xA9").end_object();
    CHECK(w.text() == R"({"\u00ff":"\u00c3\u00a9"})");
}

TEST_CASE("An error as JSON: absent fields left out, the address as a hex string") {
    Error e = make_error(ErrorKind::Runtime, "out of bounds", 7, "check the length");
    e.where.address = 0x800000010ull;
    CHECK(error_json(e) == R"({"kind":"runtime","what":"out of bounds","hint":"check the length","pc":7,)"
                           R"("address":"0x800000010","message":")" + e.to_string() + "\"}");
    CHECK(error_json(make_error(ErrorKind::Parse, "bad")) ==
          R"({"kind":"parse","what":"bad","message":")" + make_error(ErrorKind::Parse, "bad").to_string() + "\"}");
}
