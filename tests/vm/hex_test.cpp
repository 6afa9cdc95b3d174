#include <doctest/doctest.h>

#include "core/hex.hpp"

using namespace bpfplay;

TEST_CASE("hex text: one spelling for numbers and bytes") {
    CHECK(hex(0) == "0x0");
    CHECK(hex(0xffffffffffffffffull) == "0xffffffffffffffff");
    const std::vector<uint8_t> b{0xb7, 0x00, 0x0a};
    CHECK(hex_bytes(b) == "b7000a");
    CHECK(hex_bytes_spaced(b) == "b7 00 0a");
    CHECK(hex_bytes_spaced({}) == "");
    CHECK(hex_digit('7') == 7);
    CHECK(hex_digit('F') == 15);
    CHECK(hex_digit('g') == -1);
}

TEST_CASE("parse_hex_bytes reads tokens of digit pairs and single digits") {
    CHECK(parse_hex_bytes("01 02  ff\n").value() == std::vector<uint8_t>{1, 2, 0xff});
    CHECK(parse_hex_bytes("0102FF").value() == std::vector<uint8_t>{1, 2, 0xff});
    CHECK(parse_hex_bytes("1 a").value() == std::vector<uint8_t>{1, 10});
    CHECK(parse_hex_bytes("").value().empty());
    auto odd = parse_hex_bytes("012");
    REQUIRE(!odd);
    CHECK(odd.error().kind == ErrorKind::Parse);
    CHECK(odd.error().what == "hex bytes: odd number of hex digits in \"012\"");
    auto bad = parse_hex_bytes("0g");
    REQUIRE(!bad);
    CHECK(bad.error().what == "hex bytes: 'g' is not a hex digit in \"0g\"");
}
