#pragma once
// Small pieces every command's option parsing shares. Nothing here throws: bad numbers come
// back as nullopt and the command reports them.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace bpfplay::cli {

using Args = std::span<const std::string_view>;

// Decimal, or hex with a 0x prefix. The whole text must be the number.
std::optional<uint64_t> parse_u64(std::string_view text);

// --budget's value: a positive instruction count, or nullopt.
inline std::optional<uint64_t> parse_budget(std::string_view text) {
    auto n = parse_u64(text);
    return n && *n > 0 ? n : std::nullopt;
}

// Reads the value of option `name` at args[i], as "--name VALUE" or "--name=VALUE". Returns
// nullopt when args[i] is a different option; sets *missing when the value is absent.
// On success i is left on the last argument consumed.
std::optional<std::string_view> option_value(Args args, size_t& i, std::string_view name, bool* missing);

} // namespace bpfplay::cli
