#include "core/verifier/verdict_text.hpp"

#include <algorithm>

namespace bpfplay::verifier {

std::string path_text(const std::vector<uint32_t>& path, size_t max_ranges) {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    for (uint32_t pc : path) {
        if (!ranges.empty() && ranges.back().second + 1 == pc) ranges.back().second = pc;
        else ranges.push_back({pc, pc});
    }
    std::string out;
    const size_t skip = ranges.size() > max_ranges ? ranges.size() - max_ranges : 0;
    if (skip) out = "(" + std::to_string(skip) + " earlier runs) ...";
    for (size_t k = skip; k < ranges.size(); ++k) {
        if (!out.empty()) out += ' ';
        out += std::to_string(ranges[k].first);
        if (ranges[k].second != ranges[k].first) out += "-" + std::to_string(ranges[k].second);
    }
    return out;
}

std::string path_state_text(const PathState& s) {
    if (!s.kept) return "(not kept)";
    std::string out = s.frame ? "frame" + std::to_string(s.frame) + ":" : "";
    for (size_t i = 0; i < s.regs.size(); ++i) {
        if (s.regs[i].empty()) continue;
        if (!out.empty()) out += ' ';
        out += "R" + std::to_string(i) + "=" + s.regs[i];
    }
    return out;
}

std::string verdict_text(const Verdict& v) {
    std::string out = v.program + ": ";
    switch (v.kind) {
    case VerdictKind::Accept:
        out += "the kernel would accept it (" + std::to_string(v.processed) + " instructions processed)\n";
        return out;
    case VerdictKind::CannotTell:
        out += "cannot tell: insn " + std::to_string(v.insn) + " uses " + v.message + ", which the checker does not model yet\n";
        return out;
    case VerdictKind::Refuse: break;
    }
    out += "the kernel would refuse it\n";
    out += "  insn " + std::to_string(v.insn) + ": " + v.message + "\n";
    if (v.source_line) out += "  " + v.source_file + ":" + std::to_string(v.source_line) + ": " + v.source_text + "\n";
    out += "  why: " + v.why + "\n";
    out += "  fix: " + v.fix + "\n";
    out += "  path: " + path_text(v.path) + "\n";
    // The log's tail: what the checker knew before the last instructions of the path.
    constexpr size_t kTailStates = 5;
    const size_t tail = std::min(kTailStates, v.path_states.size());
    if (tail) out += "  registers the checker inferred (before each instruction):\n";
    for (size_t k = v.path_states.size() - tail; k < v.path_states.size(); ++k)
        out += "    " + std::to_string(v.path[v.path_states_from + k]) + ": " + path_state_text(v.path_states[k]) + "\n";
    return out;
}

void to_json(JsonWriter& w, const Verdict& v) {
    w.begin_object().member("program", v.program).member("verdict", verdict_kind_name(v.kind)).member("processed", v.processed);
    if (v.kind != VerdictKind::Accept) {
        w.member("insn", v.insn).member("message", v.message);
        if (v.kind == VerdictKind::Refuse) w.member("why", v.why).member("fix", v.fix);
        if (v.source_line) {
            w.key("source").begin_object().member("file", v.source_file).member("line", v.source_line).member("text", v.source_text).end_object();
        }
        if (v.kind == VerdictKind::Refuse) {
            w.key("path").values(v.path).member("path_states_from", uint64_t(v.path_states_from)).key("path_states").begin_array();
            for (const PathState& s : v.path_states) {
                w.begin_object().member("kept", s.kept).member("frame", s.frame).key("regs").begin_array();
                if (s.kept)
                    for (const std::string& r : s.regs) w.value(r);
                w.end_array().end_object();
            }
            w.end_array();
        }
    }
    w.end_object();
}

}  // namespace bpfplay::verifier
