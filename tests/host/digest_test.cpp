// SHA-1 and SHA-256 (core/host/digest.cpp) against the FIPS 180-2 examples.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "core/hex.hpp"
#include "core/host/digest.hpp"

namespace bpfplay {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("SHA-256: FIPS 180-2's \"abc\", the two-block message, and the empty string") {
    CHECK(hex_bytes(sha256(bytes_of("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex_bytes(sha256(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex_bytes(sha256(bytes_of(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // 55 and 56 bytes: the length fits the first block's end, or needs a second block.
    CHECK(hex_bytes(sha256(bytes_of(std::string(56, 'a')))) ==
          "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

TEST_CASE("SHA-1: FIPS 180-2's \"abc\", the two-block message, and the empty string") {
    CHECK(hex_bytes(sha1(bytes_of("abc"))) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hex_bytes(sha1(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hex_bytes(sha1(bytes_of(""))) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

}  // namespace bpfplay
