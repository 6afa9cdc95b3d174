#pragma once
// Numbers and bytes as hex text, and hex text back to bytes: one spelling, and one reader,
// for core, the CLI and the bindings.
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

// "0x1f"
inline std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

inline constexpr char kHexDigits[] = "0123456789abcdef";

// "0a1b" (two lowercase digits a byte, no separators)
inline std::string hex_bytes(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t c : bytes) {
        out += kHexDigits[c >> 4];
        out += kHexDigits[c & 15];
    }
    return out;
}

// "b7 00 00 00 01": lowercase, one space between bytes, no newline.
inline std::string hex_bytes_spaced(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 3);
    for (size_t k = 0; k < bytes.size(); ++k) {
        if (k) out += ' ';
        out += kHexDigits[bytes[k] >> 4];
        out += kHexDigits[bytes[k] & 15];
    }
    return out;
}

// The value of one hex digit (either case), or -1.
constexpr int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Whitespace-separated tokens of hex digits: "01 02", "0102", "01  02  " (the conformance
// suite's form, --mem, hex program files). A token of even length is read as bytes two digits
// at a time; a one-digit token is one byte, as uBPF's plugin reads it. Errors are
// ErrorKind::Parse naming the token.
Result<std::vector<uint8_t>> parse_hex_bytes(std::string_view text);

}  // namespace bpfplay
