#include "core/host/open_flags.hpp"

#include <charconv>

namespace bpfplay {

namespace {

struct OpenFlagName {
    const char* name;
    uint32_t bits;
};

// The access mode (O_ACCMODE's two bits) is a value, not bits: O_RDONLY is 0.
constexpr OpenFlagName kOpenAccessModes[] = {{"O_RDONLY", 0}, {"O_WRONLY", 01}, {"O_RDWR", 02}};
constexpr uint32_t kOpenAccmode = 03;

// Flags of more than one bit first (O_SYNC is __O_SYNC | O_DSYNC, O_TMPFILE __O_TMPFILE |
// O_DIRECTORY), so a value shows the name that covers the most.
constexpr OpenFlagName kOpenFlagBits[] = {
    {"O_TMPFILE", 020200000}, {"O_SYNC", 04010000},     {"O_CREAT", 0100},       {"O_EXCL", 0200},
    {"O_NOCTTY", 0400},       {"O_TRUNC", 01000},       {"O_APPEND", 02000},     {"O_NONBLOCK", 04000},
    {"O_DSYNC", 010000},      {"O_ASYNC", 020000},      {"O_DIRECT", 040000},    {"O_LARGEFILE", 0100000},
    {"O_DIRECTORY", 0200000}, {"O_NOFOLLOW", 0400000},  {"O_NOATIME", 01000000}, {"O_CLOEXEC", 02000000},
    {"O_PATH", 010000000},
};

std::string_view open_flag_trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

std::optional<uint32_t> open_flag_bits(std::string_view name) {
    for (const OpenFlagName& f : kOpenAccessModes)
        if (name == f.name) return f.bits;
    for (const OpenFlagName& f : kOpenFlagBits)
        if (name == f.name) return f.bits;
    return std::nullopt;
}

}  // namespace

std::optional<uint32_t> parse_open_flags(std::string_view text) {
    uint32_t flags = 0;
    while (true) {
        const size_t bar = text.find('|');
        const std::string_view name = open_flag_trimmed(text.substr(0, bar));
        const std::optional<uint32_t> bits = open_flag_bits(name);
        if (!bits) return std::nullopt;
        flags |= *bits;
        if (bar == std::string_view::npos) return flags;
        text.remove_prefix(bar + 1);
    }
}

std::string open_flags_text(uint32_t flags) {
    std::string out;
    const uint32_t mode = flags & kOpenAccmode;
    uint32_t rest = flags & ~kOpenAccmode;
    out = mode < std::size(kOpenAccessModes) ? kOpenAccessModes[mode].name : "O_ACCMODE";
    for (const OpenFlagName& f : kOpenFlagBits) {
        if ((rest & f.bits) != f.bits) continue;
        out += std::string("|") + f.name;
        rest &= ~f.bits;
    }
    if (rest) {
        char buf[16];
        const auto end = std::to_chars(buf, buf + sizeof buf, rest, 8).ptr;
        out += "|0" + std::string(buf, end);
    }
    return out;
}

}  // namespace bpfplay
