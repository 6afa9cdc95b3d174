#include "core/text/source_line.hpp"

#include "core/hex.hpp"
#include "core/text/lexer.hpp"

namespace bpfplay::text {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
bool is_dec(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return hex_digit(c) >= 0;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Comments: ";" (llvm-objdump -S source lines, helper names), "//", and "#" at the start or
// after a space ("call bpf_map_lookup_elem#1" keeps its "#").
std::string_view strip_comment(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == ';' || (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/') ||
            (s[i] == '#' && (i == 0 || is_space(s[i - 1]))))
            return s.substr(0, i);
    }
    return s;
}

size_t count_while(std::string_view s, size_t from, bool (*pred)(char)) {
    size_t i = from;
    while (i < s.size() && pred(s[i]))
        ++i;
    return i - from;
}

// "0000000000000058:  R_BPF_64_64  my_map" (llvm-objdump -r)
bool is_relocation(std::string_view s) {
    size_t n = count_while(s, 0, is_hex);
    if (n == 0 || n >= s.size() || s[n] != ':') return false;
    return trim(s.substr(n + 1)).substr(0, 2) == "R_";
}

// "0000000000000020 <LBB1_2>:" -> "LBB1_2"
bool symbol_header(std::string_view s, std::string_view& name) {
    size_t n = count_while(s, 0, is_hex);
    if (n == 0 || s.size() < n + 4 || s[n] != ' ' || s[n + 1] != '<' || s.substr(s.size() - 2) != ">:")
        return false;
    name = s.substr(n + 2, s.size() - n - 4);
    return !name.empty();
}

// "  12:" before the instruction
std::string_view strip_index(std::string_view s) {
    size_t n = count_while(s, 0, is_dec);
    if (n > 0 && n < s.size() && s[n] == ':' && (n + 1 == s.size() || is_space(s[n + 1])))
        return trim(s.substr(n + 1));
    return s;
}

// "b7 00 00 00 01 00 00 00" (16 bytes for lddw): two hex digits per word, single spaces.
// No instruction text begins with such a word, so the column cannot swallow one.
std::string_view strip_bytes(std::string_view s, SourceLine& out) {
    size_t words = 0, i = 0;
    uint8_t bytes[16];
    while (words < 16 && i + 2 <= s.size() && is_hex(s[i]) && is_hex(s[i + 1]) &&
           (i + 2 == s.size() || is_space(s[i + 2]))) {
        bytes[words++] = uint8_t(hex_digit(s[i]) * 16 + hex_digit(s[i + 1]));
        i += 2;
        if (i >= s.size() || s[i] != ' ') break; // a tab or the end closes the column
        ++i;
    }
    if (words < 8) return s;
    const size_t keep = (words == 16 && bytes[0] == 0x18) ? 16 : 8;
    for (size_t k = 0; k < keep; ++k)
        out.bytes[k] = bytes[k];
    out.byte_count = keep;
    return trim(s.substr(keep * 3 - 1));
}

std::string_view strip_labels(std::string_view s, SourceLine& out) {
    while (!s.empty() && is_ident_start(s[0])) {
        size_t n = 1;
        while (n < s.size() && is_ident_char(s[n]))
            ++n;
        if (n >= s.size() || s[n] != ':') break;
        out.labels.push_back(s.substr(0, n));
        s = trim(s.substr(n + 1));
    }
    return s;
}

} // namespace

SourceLine split_line(std::string_view raw) {
    SourceLine out;
    std::string_view s = trim(strip_comment(raw));
    if (s.empty()) return out;
    if (s.find("file format ") != std::string_view::npos || s.starts_with("Disassembly of section ") ||
        is_relocation(s))
        return out;
    if (symbol_header(s, out.symbol)) return out;
    s = strip_index(s);
    s = strip_bytes(s, out);
    s = strip_labels(s, out);
    out.text = s;
    return out;
}

} // namespace bpfplay::text
