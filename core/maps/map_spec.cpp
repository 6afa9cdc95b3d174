// BPF_MAP_CREATE: the checks of kernel/bpf/syscall.c map_create() and of each type's
// map_alloc_check / map_alloc, in the kernel's order so the first problem reported is the one
// the kernel reports, plus bpfplay's memory limit. Then the factory.
#include <cstdio>

#include "core/maps/array_map.hpp"
#include "core/maps/dev_map.hpp"
#include "core/maps/fd_array_map.hpp"
#include "core/maps/hash_map.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_in_map.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

namespace {

constexpr uint32_t kArrayCreateFlags = f::kNumaNode | f::kMmapable | f::kAccessMask | f::kPreserveElems | f::kInnerMap;
constexpr uint32_t kHashCreateFlags = f::kNoPrealloc | f::kNoCommonLru | f::kNumaNode | f::kAccessMask | f::kZeroSeed;
constexpr uint64_t kPcpuMinUnitSize = 32768;                 // PCPU_MIN_UNIT_SIZE
constexpr uint64_t kKmallocMaxSize = 4ull << 20;             // KMALLOC_MAX_SIZE on x86-64
constexpr uint64_t kHtabElemSize = 48;                       // sizeof(struct htab_elem) on x86-64
constexpr uint64_t kIntMax = 0x7fffffff;

bool is_percpu(MapType t) {
    return t == MapType::PercpuArray || t == MapType::PercpuHash || t == MapType::LruPercpuHash;
}
bool is_lru(MapType t) { return t == MapType::LruHash || t == MapType::LruPercpuHash; }
bool is_array_like(MapType t) {
    return t == MapType::Array || t == MapType::PercpuArray || t == MapType::ProgArray || t == MapType::ArrayOfMaps ||
           t == MapType::PerfEventArray;
}
uint64_t round8(uint64_t v) { return (v + 7) & ~uint64_t(7); }

std::string mib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1 << 20));
    return buf;
}

// Names of the set bits of `flags` (for "unknown flags" messages).
std::string flag_names(uint32_t flags) {
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

class Checker {
public:
    explicit Checker(const MapSpec& spec) : s_(spec), kind_(std::string(map_type_name(spec.type)) + " map \"" + spec.name + "\"") {}

    std::optional<MapCreateError> run() {
        if (auto err = file_flags()) return err;
        if (auto err = type()) return err;
        if (s_.ncpus == 0 || s_.ncpus > kMaxCpus)
            return fail(-e::kEINVAL, kind_ + " is created for " + std::to_string(s_.ncpus) +
                                         " CPUs; bpfplay emulates 1 to " + std::to_string(kMaxCpus));
        std::optional<MapCreateError> err;
        switch (s_.type) {
        case MapType::ProgArray:
        case MapType::PerfEventArray:
        case MapType::ArrayOfMaps: err = fd_array_alloc_check(); break;
        case MapType::Array:
        case MapType::PercpuArray: err = array_alloc_check(); break;
        case MapType::HashOfMaps: err = fd_htab_alloc_check(); break;
        case MapType::Ringbuf: err = ringbuf_alloc_check(); break;
        case MapType::Devmap:
        case MapType::DevmapHash: err = dev_map_init_check(); break;
        default: err = htab_alloc_check(); break;
        }
        if (err) return err;
        if (s_.type == MapType::ArrayOfMaps || s_.type == MapType::HashOfMaps)
            if (auto inner_err = inner()) return inner_err;
        if (!is_array_like(s_.type) && s_.max_entries > (1u << 31))
            return fail(-e::kE2BIG, kind_ + " has max_entries " + std::to_string(s_.max_entries) +
                                        "; a hash map holds at most 2^31 entries");
        if (auto mem = memory()) return mem;
        return name();
    }

private:
    MapCreateError fail(int64_t code, std::string what, std::string hint = {}) const {
        MapCreateError err;
        err.code = code;
        err.error = make_error(ErrorKind::Map, errno_name(code) + ": " + std::move(what), std::nullopt, std::move(hint));
        err.error.where.map = s_.name;
        return err;
    }

    // bpf_get_file_flag.
    std::optional<MapCreateError> file_flags() const {
        if ((s_.map_flags & f::kRdonly) && (s_.map_flags & f::kWronly))
            return fail(-e::kEINVAL, kind_ + " has both BPF_F_RDONLY and BPF_F_WRONLY: userspace could neither read "
                                             "nor write it",
                        "Keep at most one of the two.");
        return std::nullopt;
    }

    std::optional<MapCreateError> type() const {
        const auto t = static_cast<uint32_t>(s_.type);
        if (t == 0 || t > static_cast<uint32_t>(MapType::Arena))
            return fail(-e::kEINVAL, "map \"" + s_.name + "\" has type " + std::to_string(t) +
                                         ", which is not a kernel map type");
        if (!map_type_supported(s_.type))
            return fail(-e::kEINVAL, std::string("bpfplay does not implement ") + map_type_name(s_.type) +
                                         " maps yet (map \"" + s_.name + "\")",
                        "Supported: hash, array, percpu_hash, percpu_array, lru_hash, lru_percpu_hash, "
                        "prog_array, perf_event_array, array_of_maps, hash_of_maps, ringbuf, devmap, "
                        "devmap_hash.");
        return std::nullopt;
    }

    // ringbuf_map_alloc: no keys or values; the size is a power of 2 and a multiple of a page.
    std::optional<MapCreateError> ringbuf_alloc_check() const {
        if (auto err = unknown_flags(f::kNumaNode)) return err;
        if (s_.key_size != 0 || s_.value_size != 0)
            return fail(-e::kEINVAL, kind_ + " has key_size " + std::to_string(s_.key_size) + " and value_size " +
                                         std::to_string(s_.value_size) + "; a ring buffer has neither (both 0)");
        const uint32_t n = s_.max_entries;
        if (n == 0 || (n & (n - 1)) != 0 || n % 4096 != 0)
            return fail(-e::kEINVAL, kind_ + " has max_entries " + std::to_string(n) +
                                         ": a ring buffer's size must be a power of 2 and a multiple of 4096");
        return std::nullopt;
    }

    // dev_map_init_map: u32 keys, a value of ifindex (4 bytes) or struct bpf_devmap_val (8).
    std::optional<MapCreateError> dev_map_init_check() const {
        if (s_.max_entries == 0)
            return fail(-e::kEINVAL, kind_ + " has max_entries 0; a map must hold at least one entry");
        if (s_.key_size != 4)
            return fail(-e::kEINVAL,
                        kind_ + " has key_size " + std::to_string(s_.key_size) +
                            ", but devmap keys are u32: key_size must be 4",
                        "Declare the key as __u32.");
        if (s_.value_size != 4 && s_.value_size != 8)
            return fail(-e::kEINVAL,
                        kind_ + " has value_size " + std::to_string(s_.value_size) +
                            "; a devmap value is an ifindex (4 bytes) or struct bpf_devmap_val (8 bytes)",
                        "Declare the value as __u32 or struct bpf_devmap_val.");
        if (auto err = unknown_flags(f::kNumaNode | f::kRdonly | f::kWronly)) return err;
        if (s_.type == MapType::DevmapHash && s_.max_entries > (1u << 31))
            return fail(-e::kEINVAL, kind_ + " has max_entries " + std::to_string(s_.max_entries) +
                                         "; its bucket count (the next power of 2) would overflow");
        return std::nullopt;
    }

    std::optional<MapCreateError> unknown_flags(uint32_t allowed) const {
        const uint32_t bad = s_.map_flags & ~allowed;
        if (!bad) return std::nullopt;
        return fail(-e::kEINVAL, kind_ + " does not accept map_flags " + flag_names(bad));
    }

    // bpf_map_flags_access_ok.
    std::optional<MapCreateError> access_flags() const {
        if ((s_.map_flags & f::kRdonlyProg) && (s_.map_flags & f::kWronlyProg))
            return fail(-e::kEINVAL, kind_ + " has both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG: programs could "
                                             "neither read nor write it");
        return std::nullopt;
    }

    std::optional<MapCreateError> zero_sizes(bool key_too) const {
        if (s_.max_entries == 0)
            return fail(-e::kEINVAL, kind_ + " has max_entries 0; a map must hold at least one entry",
                        "Set max_entries (__uint(max_entries, N)).");
        if (key_too && s_.key_size == 0)
            return fail(-e::kEINVAL, kind_ + " has key_size 0; hash keys are at least 1 byte");
        if (s_.value_size == 0)
            return fail(-e::kEINVAL, kind_ + " has value_size 0; values are at least 1 byte");
        return std::nullopt;
    }

    // array_map_alloc_check.
    std::optional<MapCreateError> array_alloc_check() const {
        const bool percpu = s_.type == MapType::PercpuArray;
        if (auto err = zero_sizes(false)) return err;
        if (s_.key_size != 4)
            return fail(-e::kEINVAL, kind_ + " has key_size " + std::to_string(s_.key_size) +
                                         ", but array keys are u32 indexes: key_size must be 4",
                        "Declare the key as __u32.");
        if (auto err = unknown_flags(kArrayCreateFlags)) return err;
        if (auto err = access_flags()) return err;
        if (percpu && (s_.map_flags & f::kNumaNode))
            return fail(-e::kEINVAL, kind_ + " is per-CPU and cannot be placed on one NUMA node (BPF_F_NUMA_NODE)");
        if (s_.type != MapType::Array && (s_.map_flags & (f::kMmapable | f::kInnerMap)))
            return fail(-e::kEINVAL, kind_ + ": " + flag_names(s_.map_flags & (f::kMmapable | f::kInnerMap)) +
                                         " is only for plain array maps");
        if (s_.type != MapType::PerfEventArray && (s_.map_flags & f::kPreserveElems))
            return fail(-e::kEINVAL, kind_ + ": BPF_F_PRESERVE_ELEMS is only for perf_event_array maps");
        if (s_.value_size > kIntMax)
            return fail(-e::kE2BIG, kind_ + " has value_size " + std::to_string(s_.value_size) +
                                        ", more than INT_MAX");
        if (percpu && round8(s_.value_size) > kPcpuMinUnitSize)
            return fail(-e::kE2BIG, kind_ + " has value_size " + std::to_string(s_.value_size) +
                                        "; per-CPU values are at most 32768 bytes (PCPU_MIN_UNIT_SIZE)");
        return std::nullopt;
    }

    // fd_array_map_alloc_check: the value is an fd (here: a program index, map id or, for a
    // perf event array, the CPU of the reader's perf event).
    std::optional<MapCreateError> fd_array_alloc_check() const {
        if (s_.value_size != 4)
            return fail(-e::kEINVAL, kind_ + " has value_size " + std::to_string(s_.value_size) +
                                         "; its values are references (fds for the kernel), value_size must be 4",
                        "Declare the value as __u32.");
        if (s_.map_flags & (f::kRdonlyProg | f::kWronlyProg))
            return fail(-e::kEINVAL, kind_ + ": BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are not supported for maps "
                                             "of programs or maps");
        return array_alloc_check();
    }

    // htab_map_alloc_check.
    std::optional<MapCreateError> htab_alloc_check() const {
        const bool percpu = is_percpu(s_.type);
        const bool lru = is_lru(s_.type);
        const bool percpu_lru = s_.map_flags & f::kNoCommonLru;
        const bool prealloc = !(s_.map_flags & f::kNoPrealloc);
        if (auto err = unknown_flags(kHashCreateFlags)) return err;
        if (auto err = access_flags()) return err;
        if (!lru && percpu_lru)
            return fail(-e::kEINVAL, kind_ + ": BPF_F_NO_COMMON_LRU is only for LRU maps");
        if (lru && !prealloc)
            return fail(-e::kENOTSUPP, kind_ + ": LRU maps are always preallocated, BPF_F_NO_PREALLOC is not "
                                               "supported",
                        "Drop BPF_F_NO_PREALLOC.");
        if ((s_.map_flags & f::kNumaNode) && (percpu || percpu_lru))
            return fail(-e::kEINVAL, kind_ + " has per-CPU parts and cannot be placed on one NUMA node "
                                             "(BPF_F_NUMA_NODE)");
        if (auto err = zero_sizes(true)) return err;
        if (uint64_t(s_.key_size) + s_.value_size >= kKmallocMaxSize - kHtabElemSize)
            return fail(-e::kE2BIG, kind_ + " has key_size " + std::to_string(s_.key_size) + " + value_size " +
                                        std::to_string(s_.value_size) + " bytes; together they must be under " +
                                        std::to_string(kKmallocMaxSize - kHtabElemSize) +
                                        " (KMALLOC_MAX_SIZE minus the element header)");
        if (percpu && round8(s_.value_size) > kPcpuMinUnitSize)
            return fail(-e::kE2BIG, kind_ + " has value_size " + std::to_string(s_.value_size) +
                                        "; per-CPU values are at most 32768 bytes (PCPU_MIN_UNIT_SIZE)");
        return std::nullopt;
    }

    // fd_htab_map_alloc_check.
    std::optional<MapCreateError> fd_htab_alloc_check() const {
        if (s_.value_size != 4)
            return fail(-e::kEINVAL, kind_ + " has value_size " + std::to_string(s_.value_size) +
                                         "; its values are map references (fds for the kernel), value_size must be 4",
                        "Declare the value as __u32.");
        return htab_alloc_check();
    }

    // bpf_map_meta_alloc: the kernel opens inner_map_fd; a missing one is a bad fd.
    std::optional<MapCreateError> inner() const {
        if (!s_.inner)
            return fail(-e::kEBADF, kind_ + " needs an inner map (the kernel's inner_map_fd) that says what kind of "
                                            "map it stores",
                        "Declare the values with __array(values, struct { ... }) so the loader knows the inner map.");
        return check_inner_template(s_, *s_.inner);
    }

    std::optional<MapCreateError> memory() const {
        uint64_t bytes = 0;
        switch (s_.type) {
        case MapType::Array:
        case MapType::PercpuArray: bytes = ArrayMap::footprint(s_); break;
        case MapType::ProgArray:
        case MapType::PerfEventArray:
        case MapType::ArrayOfMaps: bytes = FdArrayMap::footprint(s_); break;
        case MapType::Ringbuf: bytes = RingbufMap::footprint(s_); break;
        case MapType::Devmap: bytes = DevMap::footprint(s_); break;
        default: bytes = HashMap::footprint(s_); break;
        }
        if (bytes <= kMaxMapBytes) return std::nullopt;
        const uint64_t fits = uint64_t(s_.max_entries) * kMaxMapBytes / bytes;
        return fail(-e::kENOMEM,
                    kind_ + " with max_entries " + std::to_string(s_.max_entries) + " and value_size " +
                        std::to_string(s_.value_size) + (is_percpu(s_.type) ? " on " + std::to_string(s_.ncpus) + " CPUs" : "") +
                        " would need " + mib(bytes) + "; bpfplay limits one map to " + mib(kMaxMapBytes) +
                        " so programs also run in a browser tab",
                    "Lower max_entries (about " + std::to_string(fits) + " fit).");
    }

    // bpf_obj_name_cpy's character set. The kernel also limits names to 15 characters; libbpf
    // truncates longer ELF names before creating the map, so bpfplay keeps the full name.
    std::optional<MapCreateError> name() const {
        for (char c : s_.name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                            c == '.';
            if (!ok)
                return fail(-e::kEINVAL, "map name \"" + s_.name + "\" contains '" + std::string(1, c) +
                                             "'; map names may only use letters, digits, '_' and '.'");
        }
        return std::nullopt;
    }

    const MapSpec& s_;
    std::string kind_;
};

}  // namespace

std::optional<MapCreateError> check_map_spec(const MapSpec& spec) { return Checker(spec).run(); }

Result<std::unique_ptr<Map>> create_map(const MapSpec& requested) {
    MapSpec spec = requested;
    // htab_map_alloc: with per-CPU LRU lists, every CPU gets the same share of entries.
    if (is_lru(spec.type) && (spec.map_flags & f::kNoCommonLru) && spec.ncpus != 0) {
        const uint64_t up = (uint64_t(spec.max_entries) + spec.ncpus - 1) / spec.ncpus * spec.ncpus;
        spec.max_entries = up <= UINT32_MAX ? uint32_t(up) : spec.max_entries / spec.ncpus * spec.ncpus;
    }
    if (auto problem = check_map_spec(spec)) return problem->error;
    // dev_map_init_map: lookups return a pointer into the kernel's entry, so programs only read.
    if (spec.type == MapType::Devmap || spec.type == MapType::DevmapHash) spec.map_flags |= f::kRdonlyProg;

    std::unique_ptr<Map> map;
    switch (spec.type) {
    case MapType::Array:
    case MapType::PercpuArray: map = ArrayMap::make(spec); break;
    case MapType::ProgArray:
    case MapType::PerfEventArray:
    case MapType::ArrayOfMaps: map = FdArrayMap::make(spec); break;
    case MapType::Ringbuf: map = RingbufMap::make(spec); break;
    case MapType::Devmap: map = DevMap::make(spec); break;
    default: map = HashMap::make(spec); break;
    }
    if (!map) {
        Error err = make_error(ErrorKind::Map, "-ENOMEM: the host has no memory left for " +
                                                   std::string(map_type_name(spec.type)) + " map \"" + spec.name + "\"");
        err.where.map = spec.name;
        return err;
    }
    return map;
}

}  // namespace bpfplay
