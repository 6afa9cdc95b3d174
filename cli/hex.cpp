#include "cli/hex.hpp"

namespace bpfplay::cli {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

Error bad_token(std::string_view token, std::string what) {
    return make_error(ErrorKind::Parse, "hex bytes: " + what + " in \"" + std::string(token) + "\"",
                      std::nullopt, "(write bytes as pairs of hex digits, e.g. \"01 02 ff\" or \"0102ff\")");
}

} // namespace

Result<std::vector<uint8_t>> parse_hex_bytes(std::string_view text) {
    std::vector<uint8_t> out;
    size_t i = 0;
    while (i < text.size()) {
        if (is_space(text[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && !is_space(text[end]))
            ++end;
        std::string_view token = text.substr(i, end - i);
        i = end;
        for (char c : token) {
            if (hex_value(c) < 0) {
                std::string what = "'";
                what += c;
                return bad_token(token, what + "' is not a hex digit");
            }
        }
        if (token.size() == 1) {
            out.push_back(uint8_t(hex_value(token[0])));
            continue;
        }
        if (token.size() % 2 != 0) return bad_token(token, "odd number of hex digits");
        for (size_t k = 0; k < token.size(); k += 2)
            out.push_back(uint8_t(hex_value(token[k]) * 16 + hex_value(token[k + 1])));
    }
    return out;
}

std::string format_hex_bytes(std::span<const uint8_t> bytes) {
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (size_t k = 0; k < bytes.size(); ++k) {
        if (k) out += ' ';
        out += kDigits[bytes[k] >> 4];
        out += kDigits[bytes[k] & 0xf];
    }
    return out;
}

} // namespace bpfplay::cli
