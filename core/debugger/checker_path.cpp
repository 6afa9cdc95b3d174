#include "core/debugger/checker_path.hpp"

#include <algorithm>

namespace bpfplay {

CheckerPath::CheckerPath(const verifier::Verdict& refusal)
    : path_(refusal.path),
      states_from_(refusal.path_states_from),
      states_(refusal.path_states),
      message_(refusal.message),
      from_entry_(refusal.path.empty() || refusal.path.front() == 0) {
    restart();
}

void CheckerPath::restart() {
    anchored_ = from_entry_;
    base_ = 0;
    matched_ = 0;
    seen_ = 0;
}

std::optional<uint64_t> CheckerPath::index_at(uint64_t executed, uint32_t pc) const {
    if (path_.empty()) return std::nullopt;
    if (anchored_ && executed == base_ + matched_ && matched_ < path_.size() && path_[matched_] == pc) return matched_;
    // A global function's path starts again each time the run arrives at the function.
    if (!from_entry_ && pc == path_.front()) return 0;
    return std::nullopt;
}

bool CheckerPath::stepped(uint32_t pc) {
    const uint64_t executed = seen_++;
    // Off the path, matched_ stops growing, so what follows is off it too.
    if (const std::optional<uint64_t> k = index_at(executed, pc)) {
        if (*k == 0) {
            anchored_ = true;
            base_ = executed;
        }
        matched_ = *k + 1;
    }
    return !from_entry_ || base_ + matched_ == seen_;
}

void CheckerPath::skipped(uint64_t executed) { seen_ = std::max(seen_, executed); }

void CheckerPath::rewound(uint64_t executed) {
    seen_ = std::min(seen_, executed);
    if (!anchored_ || executed >= base_ + matched_) return;
    if (executed >= base_) {
        matched_ = executed - base_;
    } else {
        anchored_ = from_entry_;
        base_ = 0;
        matched_ = 0;
    }
}

CheckerView CheckerPath::view(uint64_t executed, uint32_t pc, bool checked_program) const {
    CheckerView v;
    const std::optional<uint64_t> k = checked_program ? index_at(executed, pc) : std::nullopt;
    if (!k) return v;
    v.on_path = true;
    v.path_index = *k;
    v.path_length = path_.size();
    v.at_failure = *k + 1 == path_.size();
    if (v.at_failure) v.message = message_;
    if (*k >= states_from_ && *k - states_from_ < states_.size()) {
        const verifier::PathState& s = states_[*k - states_from_];
        v.kept = s.kept;
        v.frame = s.frame;
        if (s.kept) v.regs = s.regs;
    }
    return v;
}

}  // namespace bpfplay
