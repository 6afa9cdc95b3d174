#include "core/maps/map_check.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

MapCheck::MapCheck(const MapSpec& spec)
    : s_(spec), kind_(std::string(map_type_name(spec.type)) + " map \"" + spec.name + "\"") {}

MapCreateError MapCheck::fail(int64_t code, std::string what, std::string hint) const {
    MapCreateError err;
    err.code = code;
    err.error =
        make_error(ErrorKind::Map, errno_name(code) + ": " + std::move(what), std::nullopt, std::move(hint));
    err.error.where.map = s_.name;
    return err;
}

MapCheckResult MapCheck::unknown_flags(uint32_t allowed) const {
    const uint32_t bad = s_.map_flags & ~allowed;
    if (!bad) return std::nullopt;
    return fail(-e::kEINVAL, kind_ + " does not accept map_flags " + map_flag_names(bad));
}

MapCheckResult MapCheck::access_flags() const {
    if ((s_.map_flags & f::kRdonlyProg) && (s_.map_flags & f::kWronlyProg))
        return fail(-e::kEINVAL, kind_ + " has both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG: programs could "
                                         "neither read nor write it");
    return std::nullopt;
}

MapCheckResult MapCheck::zero_sizes(bool key_too) const {
    if (s_.max_entries == 0)
        return fail(-e::kEINVAL, kind_ + " has max_entries 0; a map must hold at least one entry",
                    "Set max_entries (__uint(max_entries, N)).");
    if (key_too && s_.key_size == 0)
        return fail(-e::kEINVAL, kind_ + " has key_size 0; hash keys are at least 1 byte");
    if (s_.value_size == 0) return fail(-e::kEINVAL, kind_ + " has value_size 0; values are at least 1 byte");
    return std::nullopt;
}

std::string map_flag_names(uint32_t flags) {
    static const char* const kNames[] = {"BPF_F_NO_PREALLOC", "BPF_F_NO_COMMON_LRU", "BPF_F_NUMA_NODE",
                                         "BPF_F_RDONLY",      "BPF_F_WRONLY",        "BPF_F_STACK_BUILD_ID",
                                         "BPF_F_ZERO_SEED",   "BPF_F_RDONLY_PROG",   "BPF_F_WRONLY_PROG",
                                         "BPF_F_CLONE",       "BPF_F_MMAPABLE",      "BPF_F_PRESERVE_ELEMS",
                                         "BPF_F_INNER_MAP"};
    std::string out;
    for (uint32_t bit = 0; bit < 32; ++bit) {
        if (!(flags & (1u << bit))) continue;
        if (!out.empty()) out += " | ";
        out += bit < std::size(kNames) ? kNames[bit] : "bit " + std::to_string(bit);
    }
    return out;
}

} // namespace bpfplay
