#include "core/share/base64url.hpp"

namespace bpfplay {

namespace {

constexpr char kBase64UrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 6-bit value of a character, or -1. '+' and '/' (standard base64) are read too: a link
// pasted through a tool that "fixed" the alphabet still opens.
int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
}

}  // namespace

std::string base64url_encode(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t v = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8 | bytes[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6) out += kBase64UrlAlphabet[(v >> shift) & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest == 1) {
        const uint32_t v = uint32_t(bytes[i]) << 16;
        out += kBase64UrlAlphabet[(v >> 18) & 63];
        out += kBase64UrlAlphabet[(v >> 12) & 63];
    } else if (rest == 2) {
        const uint32_t v = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8;
        out += kBase64UrlAlphabet[(v >> 18) & 63];
        out += kBase64UrlAlphabet[(v >> 12) & 63];
        out += kBase64UrlAlphabet[(v >> 6) & 63];
    }
    return out;
}

Result<std::vector<uint8_t>> base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1)
        return Error{ErrorKind::Parse, {}, "base64 text of " + std::to_string(text.size()) + " characters is cut short", ""};
    std::vector<uint8_t> out;
    out.reserve(text.size() / 4 * 3 + 2);
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const int v = base64_value(text[i]);
        if (v < 0)
            return Error{ErrorKind::Parse, {}, "character " + std::to_string(i + 1) + " of the base64 text is not base64", ""};
        acc = (acc << 6) | uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(uint8_t(acc >> bits));
            acc &= (1u << bits) - 1;
        }
    }
    return out;
}

}  // namespace bpfplay
