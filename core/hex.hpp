#pragma once
// Numbers and bytes as hex text, for messages and reports: one spelling everywhere.
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

namespace bpfplay {

// "0x1f"
inline std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// "0a1b" (two lowercase digits a byte, no separators)
inline std::string hex_bytes(std::span<const uint8_t> bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

}  // namespace bpfplay
