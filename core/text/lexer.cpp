#include "core/text/lexer.hpp"

#include <array>
#include <charconv>

namespace bpfplay::text {

namespace {

bool is_op_char(char c) {
    switch (c) {
    case '=':
    case '!':
    case '<':
    case '>':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '|':
    case '&':
    case '^': return true;
    default: return false;
    }
}

bool is_punct(char c) {
    return c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '#';
}

constexpr std::array<std::string_view, 21> kOperators = {
    "=",  "==", "!=", ">",  ">=", "<",  "<=", ">>=", "<<=", "+=", "-=",
    "*=", "/=", "%=", "|=", "&=", "^=", "+",  "-",   "*",   "&"};

bool is_operator(std::string_view s) {
    for (auto op : kOperators)
        if (op == s) return true;
    return false;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '$';
}

bool is_ident_char(char c) {
    return is_ident_start(c) || is_digit(c);
}

bool lex(std::string_view s, std::vector<Token>& out, std::string_view* bad) {
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        size_t start = i;
        TokKind kind;
        if (is_ident_start(c)) {
            while (i < s.size() && is_ident_char(s[i]))
                ++i;
            kind = TokKind::Ident;
        } else if (is_digit(c)) {
            // Letters stay in the token so "0x1f" and the malformed "12ab" are one token each.
            while (i < s.size() && (is_ident_char(s[i]) && s[i] != '.' && s[i] != '$'))
                ++i;
            kind = TokKind::Number;
        } else if (is_op_char(c)) {
            while (i < s.size() && is_op_char(s[i]))
                ++i;
            kind = TokKind::Op;
            std::string_view run = s.substr(start, i - start);
            // "r1=*(u32*)(r2+4)": a dereference may follow "=" without a space.
            if (run.size() > 1 && run.back() == '*' && is_operator(run.substr(0, run.size() - 1))) {
                --i;
                run.remove_suffix(1);
            }
            if (!is_operator(run)) {
                *bad = run;
                return false;
            }
        } else if (is_punct(c)) {
            ++i;
            kind = TokKind::Punct;
        } else {
            *bad = s.substr(start, 1);
            return false;
        }
        out.push_back({kind, s.substr(start, i - start)});
    }
    return true;
}

NumStatus parse_magnitude(std::string_view digits, uint64_t& out) {
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    if (digits.empty()) return NumStatus::Bad;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out, base);
    if (end != digits.data() + digits.size()) return NumStatus::Bad;
    if (ec == std::errc::result_out_of_range) return NumStatus::TooBig;
    if (ec != std::errc()) return NumStatus::Bad;
    return NumStatus::Ok;
}

} // namespace bpfplay::text
