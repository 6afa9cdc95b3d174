#pragma once
// One lexed instruction -> the instruction(s) of the first syntax Form it fits.
#include <span>
#include <string>
#include <string_view>

#include "core/insn.hpp"
#include "core/text/lexer.hpp"

namespace bpfplay::text {

struct Form;

struct Match {
    Insn insn[2];
    size_t slots = 1;
    std::string_view label;    // a jump target written as a label; its offset is still 0
    bool label_in_imm = false; // gotol keeps its offset in imm
};

// Why the closest form did not fit. `what` stays empty when no form got far enough to say
// anything more useful than "unknown instruction".
struct MatchError {
    size_t progress = 0; // tokens the form had accepted when it failed
    std::string what;
    std::string hint;
    // The form that accepted the most tokens before it did not fit, for a hint.
    const Form* closest = nullptr;
    size_t closest_progress = 0;
};

bool match_insn(std::span<const Token> tokens, std::string_view line, Match& m, MatchError& err);

} // namespace bpfplay::text
