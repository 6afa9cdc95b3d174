#include "core/verifier/verdict_text.hpp"

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
        if (v.kind == VerdictKind::Refuse) w.key("path").values(v.path);
    }
    w.end_object();
}

}  // namespace bpfplay::verifier
