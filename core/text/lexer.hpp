#pragma once
// Splits one instruction's text into tokens. The assembler and the syntax table both lex with
// this, so a template and the text it describes always agree on where tokens begin and end.
#include <cstdint>
#include <string_view>
#include <vector>

namespace bpfplay::text {

enum class TokKind : uint8_t { Ident, Number, Op, Punct };

struct Token {
    TokKind kind;
    std::string_view text;
};

// Operators are maximal runs of =!<>+-*/%|&^ (a trailing "*" may split off), so "r1 =+ 2"
// yields the unknown operator "=+" instead of quietly reading as "r1 = +2". On failure returns false and sets
// *bad to the offending piece of `s`.
bool lex(std::string_view s, std::vector<Token>& out, std::string_view* bad);

enum class NumStatus : uint8_t { Ok, Bad, TooBig };

// Unsigned decimal or 0x-hex digits (no sign), exactly as a Number token spells them.
NumStatus parse_magnitude(std::string_view digits, uint64_t& out);

bool is_ident_start(char c);
bool is_ident_char(char c);

} // namespace bpfplay::text
