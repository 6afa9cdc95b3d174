#pragma once
// Test helper: "b7 00 00 00 01 00 00 00 ..." -> instructions.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/insn.hpp"

namespace test_hex {

inline std::vector<uint8_t> bytes(std::string_view hex) {
    std::vector<uint8_t> out;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 0; i + 1 < hex.size();) {
        if (hex[i] == ' ' || hex[i] == '\n') {
            ++i;
            continue;
        }
        out.push_back(uint8_t(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
        i += 2;
    }
    return out;
}

inline std::vector<bpfplay::Insn> insns(std::string_view hex) {
    std::vector<uint8_t> b = bytes(hex);
    std::vector<bpfplay::Insn> out;
    for (size_t i = 0; i + 8 <= b.size(); i += 8)
        out.push_back(bpfplay::insn_from_bytes(&b[i]));
    return out;
}

} // namespace test_hex
