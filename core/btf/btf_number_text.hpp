#pragma once
// Internal: number spellings shared by to_json and to_c_text, so both always agree.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace bpfplay::btf_detail {

// Shortest text that reads back to the same value (std::to_chars guarantees it, and it
// does not depend on the locale). A float is printed at float precision, so 0.1f shows
// as 0.1 rather than 0.10000000149011612. Always contains '.' or 'e' so it reads as a
// floating value in C. Not for NaN or infinities.
inline std::string finite_float_text(double v, bool single) {
    char buf[64];
    auto res = single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                      : std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, res.ptr);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

inline std::string hex_text(uint64_t v) {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v, 16);
    return "0x" + std::string(buf, res.ptr);
}

}  // namespace bpfplay::btf_detail
