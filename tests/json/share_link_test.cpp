#include <doctest/doctest.h>

#include <string>

#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"
#include "core/share/base64url.hpp"
#include "core/share/raw_deflate.hpp"
#include "core/share/share_link.hpp"

using namespace bpfplay;

namespace {

ShareLink sample_link(ShareSource source) {
    ShareLink l;
    l.source = std::move(source);
    l.program = "xdp_prog";
    l.packet = {1, 2, 3};
    l.host = {{"comm", "nginx"}, {"pid", "7"}, {"clockStartNs", "18446744073709551615"}};
    l.breakpoints = {{3, ""}, {9, "r1 == 0x800 && r2 > 10"}};
    return l;
}

std::string share_error_of(std::string_view hash) {
    auto r = decode_share_link(hash);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Parse);
    return r.error().what;
}

std::string j_link(std::string_view json) {
    return "j=" + base64url_encode({reinterpret_cast<const uint8_t*>(json.data()), json.size()});
}

}  // namespace

TEST_CASE("base64url: RFC 4648's vectors in the URL alphabet, padding optional when read") {
    const std::string in = "foobar";
    const auto bytes = [](std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); };
    CHECK(base64url_encode(bytes("")) == "");
    CHECK(base64url_encode(bytes("f")) == "Zg");
    CHECK(base64url_encode(bytes("fo")) == "Zm8");
    CHECK(base64url_encode(bytes("foo")) == "Zm9v");
    CHECK(base64url_encode(bytes("foob")) == "Zm9vYg");
    CHECK(base64url_encode(bytes(in)) == "Zm9vYmFy");
    CHECK(base64url_encode(std::vector<uint8_t>{0xfb, 0xff}) == "-_8");
    CHECK(*base64url_decode("-_8") == std::vector<uint8_t>{0xfb, 0xff});
    CHECK(*base64url_decode("+/8=") == std::vector<uint8_t>{0xfb, 0xff});
    CHECK(*base64url_decode("Zm9vYg==") == bytes("foob"));
    CHECK(base64url_decode("Zm9vY").error().what == "base64 text of 5 characters is cut short");
    CHECK(base64url_decode("Zm$v").error().what == "character 3 of the base64 text is not base64");
}

TEST_CASE("raw DEFLATE round-trips and refuses damaged or oversized data") {
    std::vector<uint8_t> data(100000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 % 251);
    const auto packed = deflate_raw(data);
    CHECK(packed.size() < data.size());
    CHECK(*inflate_raw(packed, data.size()) == data);
    CHECK(inflate_raw(packed, data.size() - 1).error().what == "it unpacks to more than 99999 bytes");
    CHECK(inflate_raw(std::vector<uint8_t>(packed.begin(), packed.begin() + 10), data.size()).error().what ==
          "the compressed data ends too soon");
    CHECK(inflate_raw(std::vector<uint8_t>{0xff, 0xff, 0xff}, 100).error().what.starts_with("the compressed data is damaged ("));
    // 64 MiB of zeros packs into about 64 KiB: the limit stops it, not the memory.
    const std::vector<uint8_t> zeros(64u << 20);
    const auto bomb = deflate_raw(zeros);
    CHECK(bomb.size() < 100000);
    CHECK(inflate_raw(bomb, kShareLinkMaxJson).error().what == "it unpacks to more than 33554432 bytes");
}

TEST_CASE("A link the page made before core read them opens as it did (deflated by the browser)") {
    // Made by the page's TypeScript encoder (JSON.stringify, CompressionStream("deflate-raw"),
    // base64url): {"v":1,"s":{"k":"e","n":"xdp_drop_port.o"},"p":"xdp_prog","pk":"010203","cx":"",
    // "h":{"comm":"nginx","pid":"7","clockStartNs":"18446744073709551615"},"bp":[3,9],
    // "bc":{"9":"r1 == 0x800 && r2 > 10"}}
    const char* hash =
        "#z=LY3LCoMwEEV_JczCVSgzGo0G7Cd002Up0sZixUdCKiUg_nsn0NWdMxzu3eELhiR8wOwwgYEXSFg5Y--7PjjfeRe2k4NDgv-_fXADWz7pSJhjwWQjE-"
        "c7FVm3LIzrMK4xmWPPpJM1Oztdt0fYLrwIVCtVaaVQFxqbsqSKyrT05KlbIZs7nzYVNiwHEm0rMNaIIstEyMVZEMJx_AA";
    auto r = decode_share_link(hash);
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    CHECK(**r == sample_link({ShareSourceKind::Example, "xdp_drop_port.o", {}, {}, {}, {}}));
}

TEST_CASE("Links round-trip: example, object with its C, assembly, lesson") {
    std::vector<uint8_t> elf(5000);
    for (size_t i = 0; i < elf.size(); ++i) elf[i] = uint8_t(i * 7);
    ShareLink object = sample_link({ShareSourceKind::Object, "mine.o", elf, "// é and \"quotes\"\nint x;\n", {}, {}});
    object.lesson = "01_return";
    const ShareLink links[] = {
        sample_link({ShareSourceKind::Example, "xdp_drop_port.o", {}, {}, {}, {}}),
        object,
        sample_link({ShareSourceKind::Assembly, {}, {}, {}, "r0 = 1\nexit", "xdp"}),
    };
    for (const ShareLink& l : links) {
        const std::string hash = encode_share_link(l);
        CHECK(hash.starts_with("z="));
        auto back = decode_share_link(hash);
        REQUIRE(back.ok());
        REQUIRE(back->has_value());
        CHECK(**back == l);
        // The page's view and back.
        JsonWriter w;
        to_json(w, l);
        auto view = parse_json(w.text());
        REQUIRE(view.ok());
        auto again = share_link_from_json(*view);
        REQUIRE(again.ok());
        CHECK(*again == l);
    }
}

TEST_CASE("The page's view of a link spells everything out") {
    ShareLink l = sample_link({ShareSourceKind::Object, "p.o", {0x7f, 0x45}, std::nullopt, {}, {}});
    l.lesson = "02_maps";
    JsonWriter w;
    to_json(w, l);
    CHECK(w.text() ==
          R"({"source":{"kind":"object","name":"p.o","bytes":"7f45"},"program":"xdp_prog","packet":"010203","ctx":"",)"
          R"("host":{"comm":"nginx","pid":"7","clockStartNs":"18446744073709551615"},)"
          R"("breakpoints":[{"pc":3,"condition":""},{"pc":9,"condition":"r1 == 0x800 && r2 > 10"}],"lesson":"02_maps"})");
}

TEST_CASE("Older links: numbers for host fields, breakpoints without conditions, no network, j= links") {
    auto r = decode_share_link(j_link(
        R"({"v":1,"s":{"k":"o","n":"old.o","b":"f0VMRg"},"p":"x","pk":"","cx":"","h":{"cpu":1,"pid":9,"comm":"sshd","clockStartNs":"5","x":[1]},"bp":[4,-1,2.5,"7"]})"));
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    const ShareLink& l = **r;
    CHECK(l.source.kind == ShareSourceKind::Object);
    CHECK(l.source.bytes == std::vector<uint8_t>{0x7f, 0x45, 0x4c, 0x46});
    CHECK_FALSE(l.source.c.has_value());
    CHECK(l.host == std::vector<std::pair<std::string, std::string>>{{"cpu", "1"}, {"pid", "9"}, {"comm", "sshd"}, {"clockStartNs", "5"}});
    CHECK(l.breakpoints == std::vector<ShareBreakpoint>{{4, ""}});
    CHECK_FALSE(l.lesson.has_value());
}

TEST_CASE("A hash that is not a session is no link; a damaged one is an error that says what") {
    CHECK(decode_share_link("#top")->has_value() == false);
    CHECK(decode_share_link("")->has_value() == false);
    CHECK(share_error_of("#z=@@@@") == "share link: character 1 of the base64 text is not base64");
    CHECK(share_error_of("z=AAAA").starts_with("share link: the compressed data"));
    CHECK(share_error_of(j_link("{\"v\":1,")).starts_with("share link: its JSON: line 1: column 8: "));
    CHECK(share_error_of(j_link(R"({"v":2,"s":{"k":"e","n":"x.o"},"p":"x","pk":"","cx":""})")) ==
          "share link: link version 2 is not known to this playground");
    CHECK(share_error_of(j_link(R"([1])")) == "share link: its JSON is not an object");
    CHECK(share_error_of(j_link(R"({"v":1,"p":"x","pk":"","cx":""})")) == "share link: \"s\" (the program's source) is missing");
    CHECK(share_error_of(j_link(R"({"v":1,"s":{"k":"q"},"p":"x","pk":"","cx":""})")) ==
          "share link: s.\"k\" is \"q\": a source is \"e\" (example), \"o\" (object) or \"a\" (assembly)");
    CHECK(share_error_of(j_link(R"({"v":1,"s":{"k":"o","n":"a.o","b":"%%"},"p":"x","pk":"","cx":""})")) ==
          "share link: s.\"b\" (the object's bytes): character 1 of the base64 text is not base64");
    CHECK(share_error_of(j_link(R"({"v":1,"s":{"k":"e","n":"x.o"},"p":7,"pk":"","cx":""})")) ==
          "share link: \"p\" (the program's name) is not a text");
    CHECK(share_error_of(j_link(R"({"v":1,"s":{"k":"e","n":"x.o"},"p":"x","pk":"0g","cx":""})")) ==
          "share link: \"pk\" (the packet): hex bytes: 'g' is not a hex digit in \"0g\"");
    CHECK(share_error_of(j_link(R"({"v":1,"s":{"k":"e","n":"x.o"},"p":"x","pk":"","cx":"","bp":{}})")) ==
          "share link: \"bp\" (the breakpoints) is not a list");
    const std::string huge = "z=" + std::string(kShareLinkMaxText, 'A');
    CHECK(share_error_of(huge) == "share link: it is 16777218 characters long; a link holds at most 16777216");
}

TEST_CASE("The page's view is checked member by member before a link is made of it") {
    const auto error_of = [](std::string_view json) {
        auto v = parse_json(json);
        REQUIRE(v.ok());
        auto r = share_link_from_json(*v);
        REQUIRE_FALSE(r.ok());
        return r.error().what;
    };
    CHECK(error_of(R"({"program":"x"})") == "share link: \"source\" (the program's source) is not an object");
    CHECK(error_of(R"({"source":{"kind":"elf"},"program":"x","packet":"","ctx":""})") ==
          "share link: source.\"kind\" is \"elf\": a source is \"example\", \"object\" or \"assembly\"");
    CHECK(error_of(R"({"source":{"kind":"example","name":"a.o"},"program":"x","packet":"","ctx":"","host":{"pid":7}})") ==
          "share link: host.\"pid\" is not a text");
    CHECK(error_of(R"({"source":{"kind":"example","name":"a.o"},"program":"x","packet":"","ctx":"","breakpoints":[{"pc":-1}]})") ==
          "share link: a breakpoint's \"pc\" is not an instruction number");
}
