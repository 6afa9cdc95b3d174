#include "core/hex.hpp"

namespace bpfplay {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

Error bad_token(std::string_view token, std::string what) {
    return make_error(ErrorKind::Parse, "hex bytes: " + what + " in \"" + std::string(token) + "\"",
                      std::nullopt, "(write bytes as pairs of hex digits, e.g. \"01 02 ff\" or \"0102ff\")");
}

}  // namespace

Result<std::vector<uint8_t>> parse_hex_bytes(std::string_view text) {
    std::vector<uint8_t> out;
    size_t i = 0;
    while (i < text.size()) {
        if (is_space(text[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && !is_space(text[end])) ++end;
        std::string_view token = text.substr(i, end - i);
        i = end;
        for (char c : token)
            if (hex_digit(c) < 0) return bad_token(token, std::string("'") + c + "' is not a hex digit");
        if (token.size() == 1) {
            out.push_back(uint8_t(hex_digit(token[0])));
            continue;
        }
        if (token.size() % 2 != 0) return bad_token(token, "odd number of hex digits");
        for (size_t k = 0; k < token.size(); k += 2)
            out.push_back(uint8_t(hex_digit(token[k]) * 16 + hex_digit(token[k + 1])));
    }
    return out;
}

}  // namespace bpfplay
