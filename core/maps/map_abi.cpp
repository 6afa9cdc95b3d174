#include "core/maps/map_abi.hpp"

#include <array>

namespace bpfplay {

namespace {

// Indexed by the kernel's type number; the names libbpf and bpftool print.
constexpr std::array<const char*, 34> kTypeNames = {
    "unspec",         "hash",           "array",
    "prog_array",     "perf_event_array", "percpu_hash",
    "percpu_array",   "stack_trace",    "cgroup_array",
    "lru_hash",       "lru_percpu_hash", "lpm_trie",
    "array_of_maps",  "hash_of_maps",   "devmap",
    "sockmap",        "cpumap",         "xskmap",
    "sockhash",       "cgroup_storage", "reuseport_sockarray",
    "percpu_cgroup_storage", "queue",   "stack",
    "sk_storage",     "devmap_hash",    "struct_ops",
    "ringbuf",        "inode_storage",  "task_storage",
    "bloom_filter",   "user_ringbuf",   "cgrp_storage",
    "arena",
};

}  // namespace

const char* map_type_name(MapType t) {
    const auto i = static_cast<uint32_t>(t);
    return i < kTypeNames.size() ? kTypeNames[i] : "unknown";
}

std::optional<MapType> map_type_from_name(std::string_view name) {
    for (uint32_t i = 0; i < kTypeNames.size(); ++i)
        if (name == kTypeNames[i]) return static_cast<MapType>(i);
    return std::nullopt;
}

bool map_type_supported(MapType t) {
    switch (t) {
    case MapType::Hash:
    case MapType::Array:
    case MapType::ProgArray:
    case MapType::PerfEventArray:
    case MapType::PercpuHash:
    case MapType::PercpuArray:
    case MapType::LruHash:
    case MapType::LruPercpuHash:
    case MapType::ArrayOfMaps:
    case MapType::HashOfMaps:
    case MapType::Ringbuf:
    case MapType::Devmap:
    case MapType::DevmapHash: return true;
    default: return false;
    }
}

std::string errno_name(int64_t e) {
    switch (e) {
    case -kerrno::kEPERM: return "-EPERM";
    case -kerrno::kENOENT: return "-ENOENT";
    case -kerrno::kE2BIG: return "-E2BIG";
    case -kerrno::kEBADF: return "-EBADF";
    case -kerrno::kENOMEM: return "-ENOMEM";
    case -kerrno::kEACCES: return "-EACCES";
    case -kerrno::kEFAULT: return "-EFAULT";
    case -kerrno::kEBUSY: return "-EBUSY";
    case -kerrno::kEEXIST: return "-EEXIST";
    case -kerrno::kEINVAL: return "-EINVAL";
    case -kerrno::kEOPNOTSUPP: return "-EOPNOTSUPP";
    case -kerrno::kENOTSUPP: return "-ENOTSUPP";
    default: return std::to_string(e);
    }
}

}  // namespace bpfplay
