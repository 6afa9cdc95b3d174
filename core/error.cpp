#include "core/error.hpp"

#include <cstdio>

namespace bpfplay {

const char* error_kind_name(ErrorKind k) {
    switch (k) {
    case ErrorKind::Decode: return "decode";
    case ErrorKind::Verify: return "verify";
    case ErrorKind::Memory: return "memory";
    case ErrorKind::Helper: return "helper";
    case ErrorKind::Map: return "map";
    case ErrorKind::Budget: return "budget";
    case ErrorKind::Parse: return "parse";
    case ErrorKind::Load: return "load";
    case ErrorKind::Runtime: return "runtime";
    }
    return "error";
}

std::string Error::to_string() const {
    std::string out;
    if (!where.section.empty()) out += "section \"" + where.section + "\", ";
    if (!where.map.empty()) out += "map \"" + where.map + "\", ";
    if (where.line) out += "line " + std::to_string(*where.line) + ": ";
    else if (where.pc) out += "insn " + std::to_string(*where.pc) + (where.source.empty() ? "" : " (" + where.source + ")") + ": ";
    else if (!out.empty()) { out.pop_back(); out.back() = ':'; out += ' '; }
    out += what;
    // The hint is its own sentence (end the message with a full stop first) unless it is a
    // parenthetical aside.
    if (!hint.empty()) {
        const bool sentence_ends = what.empty() || what.back() == '.' || what.back() == '?' || hint.front() == '(';
        out += (sentence_ends ? " " : ". ") + hint;
    }
    return out;
}

}  // namespace bpfplay
