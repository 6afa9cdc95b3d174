// BPF_MAP_CREATE: the checks of kernel/bpf/syscall.c map_create() around the type's own
// map_alloc_check (from the map type table), in the kernel's order so the first problem reported
// is the one the kernel reports, plus bpfplay's memory limit. Then the type's factory.
#include <cstdio>

#include "core/maps/map_in_map.hpp"
#include "core/maps/map_types.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

namespace {

std::string mib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1 << 20));
    return buf;
}

std::string implemented_types() {
    std::string out;
    for (const MapTypeInfo& t : map_types())
        if (t.alloc_check) out += (out.empty() ? "" : ", ") + std::string(t.name);
    return out;
}

// Types stored as a hash table: the kernel's bucket array limits them to 2^31 entries.
bool hash_like(MapType t) {
    return t == MapType::Hash || t == MapType::PercpuHash || t == MapType::LruHash ||
           t == MapType::LruPercpuHash || t == MapType::HashOfMaps || t == MapType::DevmapHash;
}

class Checker {
  public:
    explicit Checker(const MapSpec& spec) : s_(spec), c_(spec) {}

    MapCheckResult run() {
        // map_create: only bloom filters (and arenas) take map_extra.
        if (s_.map_extra != 0 && s_.type != MapType::BloomFilter && s_.type != MapType::Arena)
            return c_.fail(-e::kEINVAL,
                           c_.kind() + " has map_extra " + std::to_string(s_.map_extra) +
                               "; only bloom filters (and arenas) take map_extra",
                           "Remove __uint(map_extra, ...) from the definition.");
        if (auto err = file_flags()) return err;
        const MapTypeInfo* info = map_type_info(s_.type);
        if (!info || s_.type == MapType::Unspec)
            return c_.fail(-e::kEINVAL, "map \"" + s_.name + "\" has type " +
                                            std::to_string(static_cast<uint32_t>(s_.type)) +
                                            ", which is not a kernel map type");
        if (!info->alloc_check)
            return c_.fail(-e::kEINVAL,
                           std::string("bpfplay does not implement ") + info->name + " maps yet (map \"" +
                               s_.name + "\")",
                           "Supported: " + implemented_types() + ".");
        if (s_.ncpus == 0 || s_.ncpus > kMaxCpus)
            return c_.fail(-e::kEINVAL, c_.kind() + " is created for " + std::to_string(s_.ncpus) +
                                            " CPUs; bpfplay emulates 1 to " + std::to_string(kMaxCpus));
        if (auto err = info->alloc_check(c_)) return err;
        if (s_.type == MapType::ArrayOfMaps || s_.type == MapType::HashOfMaps)
            if (auto inner_err = inner()) return inner_err;
        if (hash_like(s_.type) && s_.max_entries > (1u << 31))
            return c_.fail(-e::kE2BIG, c_.kind() + " has max_entries " + std::to_string(s_.max_entries) +
                                           "; a hash map holds at most 2^31 entries");
        if (auto mem = memory(*info)) return mem;
        return name();
    }

  private:
    // bpf_get_file_flag.
    MapCheckResult file_flags() const {
        if ((s_.map_flags & f::kRdonly) && (s_.map_flags & f::kWronly))
            return c_.fail(-e::kEINVAL,
                           c_.kind() +
                               " has both BPF_F_RDONLY and BPF_F_WRONLY: userspace could neither read "
                               "nor write it",
                           "Keep at most one of the two.");
        return std::nullopt;
    }

    // bpf_map_meta_alloc: the kernel opens inner_map_fd; a missing one is a bad fd.
    MapCheckResult inner() const {
        if (!s_.inner)
            return c_.fail(
                -e::kEBADF,
                c_.kind() + " needs an inner map (the kernel's inner_map_fd) that says what kind of "
                            "map it stores",
                "Declare the values with __array(values, struct { ... }) so the loader knows the inner "
                "map.");
        return check_inner_template(s_, *s_.inner);
    }

    MapCheckResult memory(const MapTypeInfo& info) const {
        const uint64_t bytes = info.footprint(s_);
        if (bytes <= kMaxMapBytes) return std::nullopt;
        const uint64_t fits = uint64_t(s_.max_entries) * kMaxMapBytes / bytes;
        return c_.fail(-e::kENOMEM,
                       c_.kind() + " with max_entries " + std::to_string(s_.max_entries) +
                           " and value_size " + std::to_string(s_.value_size) +
                           (info.percpu ? " on " + std::to_string(s_.ncpus) + " CPUs" : "") + " would need " +
                           mib(bytes) + "; bpfplay limits one map to " + mib(kMaxMapBytes) +
                           " so programs also run in a browser tab",
                       "Lower max_entries (about " + std::to_string(fits) + " fit).");
    }

    // bpf_obj_name_cpy's character set. The kernel also limits names to 15 characters; libbpf
    // truncates longer ELF names before creating the map, so bpfplay keeps the full name.
    MapCheckResult name() const {
        for (char c : s_.name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '_' || c == '.';
            if (!ok)
                return c_.fail(-e::kEINVAL, "map name \"" + s_.name + "\" contains '" + std::string(1, c) +
                                                "'; map names may only use letters, digits, '_' and '.'");
        }
        return std::nullopt;
    }

    const MapSpec& s_;
    MapCheck c_;
};

} // namespace

std::optional<MapCreateError> check_map_spec(const MapSpec& spec) {
    return Checker(spec).run();
}

Result<std::unique_ptr<Map>> create_map(const MapSpec& requested) {
    MapSpec spec = requested;
    const MapTypeInfo* info = map_type_info(spec.type);
    // htab_map_alloc: with per-CPU LRU lists, every CPU gets the same share of entries.
    if (info && info->lru && (spec.map_flags & f::kNoCommonLru) && spec.ncpus != 0) {
        const uint64_t up = (uint64_t(spec.max_entries) + spec.ncpus - 1) / spec.ncpus * spec.ncpus;
        spec.max_entries = up <= UINT32_MAX ? uint32_t(up) : spec.max_entries / spec.ncpus * spec.ncpus;
    }
    if (auto problem = check_map_spec(spec)) return problem->error;
    // dev_map_init_map: lookups return a pointer into the kernel's entry, so programs only read.
    if (spec.type == MapType::Devmap || spec.type == MapType::DevmapHash) spec.map_flags |= f::kRdonlyProg;
    // An xskmap lookup gives the socket's struct bpf_xdp_sock, which the verifier lets programs read only.
    if (spec.type == MapType::Xskmap) spec.map_flags |= f::kRdonlyProg;

    std::unique_ptr<Map> map = info->make(spec);
    if (!map) {
        Error err = make_error(ErrorKind::Map, "-ENOMEM: the host has no memory left for " +
                                                   std::string(info->name) + " map \"" + spec.name + "\"");
        err.where.map = spec.name;
        return err;
    }
    return map;
}

} // namespace bpfplay
