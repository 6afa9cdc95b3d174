#pragma once
// Where a debug run is on the path the static checker refused (verifier::Verdict::path), so
// the registers it inferred can be shown beside the real ones. The rule: the run is on the
// path while every instruction it ran matches the path's entries in order (from the entry,
// or for a global function's path, from the run's latest arrival at the function); a run
// that takes another branch, or tail-calls another program, leaves it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/verifier/verdict.hpp"

namespace bpfplay {

// The checker's view of the instruction the run is stopped at.
struct CheckerView {
    bool on_path = false;      // false: the run left the checker's path (nothing else is set)
    uint64_t path_index = 0;   // which entry of the path this instruction is
    uint64_t path_length = 0;
    bool at_failure = false;   // the instruction the checker refuses (the path's last entry)
    std::string message;       // at_failure: the kernel's message
    bool kept = false;         // the checker's registers here are known (the last 4096 entries)
    uint32_t frame = 0;        // the call frame of its registers
    std::array<std::string, 11> regs;  // kernel log notation, "" for a register not initialised
};

class CheckerPath {
public:
    explicit CheckerPath(const verifier::Verdict& refusal);

    // The run went back to its first instruction.
    void restart();
    // Instructions [0, seen()) of the run have been compared with the path.
    uint64_t seen() const { return seen_; }
    // The run's instruction number seen() ran at `pc`. False once nothing the run does later
    // can be on the path again (it left a path that starts at the entry).
    bool stepped(uint32_t pc);
    // The run's instructions up to `executed` cannot be compared (their history is gone).
    void skipped(uint64_t executed);
    // The run went back to `executed` instructions after its start.
    void rewound(uint64_t executed);
    // Stopped before the instruction at `pc`, `executed` instructions after the start.
    CheckerView view(uint64_t executed, uint32_t pc, bool checked_program) const;

private:
    // The entry of the path the instruction `executed` instructions after the start would be.
    std::optional<uint64_t> index_at(uint64_t executed, uint32_t pc) const;

    std::vector<uint32_t> path_;
    size_t states_from_ = 0;
    std::vector<verifier::PathState> states_;
    std::string message_;
    bool from_entry_ = true;  // the path starts at the program's entry (else a global function's)
    bool anchored_ = true;    // base_ is where the path's entry 0 ran
    uint64_t base_ = 0;
    uint64_t matched_ = 0;    // instructions base_.. that ran at path_[0..matched_)
    uint64_t seen_ = 0;
};

}  // namespace bpfplay
