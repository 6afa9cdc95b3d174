#include "cli/args.hpp"

#include <charconv>

namespace bpfplay::cli {

std::optional<uint64_t> parse_u64(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

std::optional<std::chrono::milliseconds> parse_time_limit(std::string_view text) {
    const size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || (dot != std::string_view::npos && (frac.empty() || frac.size() > 3))) return std::nullopt;
    // Digits only: parse_u64 alone would take "0x10".
    for (std::string_view part : {whole, frac})
        for (char c : part)
            if (c < '0' || c > '9') return std::nullopt;
    auto seconds = parse_u64(whole);
    if (!seconds || *seconds > uint64_t(kMaxTimeLimit.count() / 1000)) return std::nullopt;
    uint64_t ms = 0;
    for (size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < frac.size() ? uint64_t(frac[i] - '0') : 0);
    const std::chrono::milliseconds limit{*seconds * 1000 + ms};
    if (limit.count() == 0 || limit > kMaxTimeLimit) return std::nullopt;
    return limit;
}

std::optional<std::string_view> option_value(Args args, size_t& i, std::string_view name, bool* missing) {
    std::string_view arg = args[i];
    if (!arg.starts_with(name)) return std::nullopt;
    std::string_view rest = arg.substr(name.size());
    if (rest.starts_with("=")) return rest.substr(1);
    if (!rest.empty()) return std::nullopt; // "--memory" is not "--mem"
    if (i + 1 >= args.size()) {
        *missing = true;
        return std::nullopt;
    }
    return args[++i];
}

} // namespace bpfplay::cli
