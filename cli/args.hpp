#pragma once
// Small pieces every command's option parsing shares. Nothing here throws: bad numbers come
// back as nullopt and the command reports them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace bpfplay::cli {

using Args = std::span<const std::string_view>;

// Decimal, or hex with a 0x prefix. The whole text must be the number.
std::optional<uint64_t> parse_u64(std::string_view text);

// A run's instruction budget has a ceiling: 2^64-1 would let a looping program run for days
// with no way to stop it but a signal. 10^9 instructions is seconds of running, a thousand times
// the default (and the kernel stops any program long before: bpf_loop's 8M iterations).
constexpr uint64_t kMaxBudget = 1'000'000'000;

// --budget's value: an instruction count from 1 to kMaxBudget, or nullopt.
inline std::optional<uint64_t> parse_budget(std::string_view text) {
    auto n = parse_u64(text);
    return n && *n > 0 && *n <= kMaxBudget ? n : std::nullopt;
}

// `bpfvm run`'s wall-clock limit (core/time_limit.hpp): the budget's ceiling is seconds of
// interpreting, but --repeat, timers and helpers that work hard per call (bpf_loop, map walks)
// multiply it. A minute is far beyond any run the kernel would allow, and short enough that a
// script calling bpfvm on a runaway program gets an answer.
constexpr std::chrono::milliseconds kDefaultTimeLimit{60'000};
constexpr std::chrono::milliseconds kMaxTimeLimit{86'400'000};  // a day

// --time-limit's value: seconds, with up to three decimals ("0.5", "120"), from 0.001 to a day.
std::optional<std::chrono::milliseconds> parse_time_limit(std::string_view text);

// Reads the value of option `name` at args[i], as "--name VALUE" or "--name=VALUE". Returns
// nullopt when args[i] is a different option; sets *missing when the value is absent.
// On success i is left on the last argument consumed.
std::optional<std::string_view> option_value(Args args, size_t& i, std::string_view name, bool* missing);

} // namespace bpfplay::cli
