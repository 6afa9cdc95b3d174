#pragma once
// Hex byte text <-> bytes, as the CLI reads memory (--mem), hex program files and the
// bpf_conformance plugin's input.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace bpfplay::cli {

// Whitespace-separated tokens of hex digits: "01 02", "0102", "01  02  " (the conformance
// suite's form). A token of even length is read as bytes two digits at a time; a one-digit
// token is one byte, as uBPF's plugin reads it. Errors are ErrorKind::Parse.
Result<std::vector<uint8_t>> parse_hex_bytes(std::string_view text);

// "b7 00 00 00 01 00 00 00": lowercase, one space between bytes, no newline.
std::string format_hex_bytes(std::span<const uint8_t> bytes);

} // namespace bpfplay::cli
