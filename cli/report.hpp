#pragma once
// How every command reports failure, so the messages and exit codes stay uniform:
// 1 for a bad program or input (the Error's text), 2 for a bad command line.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/args.hpp"
#include "core/error.hpp"

namespace bpfplay::cli {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// "bpfvm: insn 3: ..." on stderr; returns kExitError.
int report_error(const Error& error);

// "bpfvm: <message>" and a pointer to --help on stderr; returns kExitUsage.
int usage_error(std::string_view message);

// "12 instructions executed" on `to`: how a run reports its count.
void print_count(std::FILE* to, uint64_t executed);
// The usage error for a bad --budget value (shared by the raw and the object run).
inline int budget_usage_error(std::string_view value) {
    return usage_error("run: --budget takes a number of instructions from 1 to " + std::to_string(kMaxBudget) +
                       ", not '" + std::string(value) + "'");
}

inline int time_limit_usage_error(std::string_view value) {
    return usage_error("run: --time-limit takes seconds from 0.001 to " +
                       std::to_string(kMaxTimeLimit.count() / 1000) + " (at most three decimals), not '" +
                       std::string(value) + "'");
}

} // namespace bpfplay::cli
