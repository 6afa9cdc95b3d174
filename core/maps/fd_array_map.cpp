#include "core/maps/fd_array_map.hpp"

#include <cstring>

#include "core/maps/array_map.hpp"
#include "core/maps/map_in_map.hpp"
#include "core/maps/map_set.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

// Each slot holds a u32 reference in an 8-byte stride, like every other map value.
uint64_t FdArrayMap::footprint(const MapSpec& spec) { return uint64_t(spec.max_entries) * (8 + 1); }

FdArrayMap::FdArrayMap(const MapSpec& spec) : SlotArrayMap(spec, 8, /*program_visible=*/false) {}

std::unique_ptr<FdArrayMap> FdArrayMap::make(const MapSpec& spec) {
    std::unique_ptr<FdArrayMap> map(new FdArrayMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

std::optional<uint32_t> FdArrayMap::reference_at(uint32_t index) const {
    if (!is_set(index)) return std::nullopt;
    return load_le<uint32_t>(slot_ptr(index));
}

uint64_t FdArrayMap::do_lookup_elem(const uint8_t* key, uint32_t) {
    // prog_array: fd_array_map_lookup_elem is ERR_PTR(-EOPNOTSUPP), unreachable from a
    // verified program; 0 here. array_of_maps: the inner map, or NULL for an empty slot.
    if (type() != MapType::ArrayOfMaps) return 0;
    auto ref = reference_at(load_le<uint32_t>(key));
    return ref ? map_handle(*ref) : 0;
}

// The kernel has no program-side update for these maps (the verifier only lets programs
// look up an array_of_maps and tail-call through a prog_array).
int64_t FdArrayMap::do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) { return -e::kEOPNOTSUPP; }

// fd_array_map_delete_elem.
int64_t FdArrayMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kE2BIG;
    if (!clear(index)) return -e::kENOENT;
    std::memset(slot_ptr(index), 0, 4);
    return 0;
}

// bpf_fd_array_map_lookup_elem: the kernel returns the program's or map's id. A perf event or
// a cgroup has no id to give back: perf_event_array and cgroup_array have no
// map_fd_sys_lookup_elem.
int64_t FdArrayMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    if (type() == MapType::PerfEventArray || type() == MapType::CgroupArray) return -e::kENOTSUPP;
    auto ref = reference_at(load_le<uint32_t>(key));
    if (!ref) return -e::kENOENT;
    store_le<uint32_t>(value, *ref);
    return 0;
}

// bpf_fd_array_map_update_elem: only BPF_ANY, then the index, then the referenced object.
int64_t FdArrayMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    const uint32_t index = load_le<uint32_t>(key);
    if (flags != map_update::kAny) return -e::kEINVAL;
    if (index >= max_entries()) return -e::kE2BIG;
    const uint32_t ref = load_le<uint32_t>(value);
    if (type() == MapType::ProgArray) {
        if (owner() && !owner()->program_exists(ref)) return -e::kEBADF;
    } else if (type() == MapType::PerfEventArray) {
        if (ref >= ncpus()) return -e::kEBADF;  // no perf event is open on that CPU
    } else if (type() == MapType::CgroupArray) {
        if (owner() && !owner()->cgroup_exists(ref)) return -e::kEBADF;  // not a cgroup's fd
    } else if (int64_t err = check_inner_map(*this, ref); err != 0) {
        return err;
    }
    mark_set(index);
    store_le<uint32_t>(slot_ptr(index), ref);
    return 0;
}


MapCheckResult FdArrayMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.value_size != 4)
        return c.fail(-kerrno::kEINVAL,
                      c.kind() + " has value_size " + std::to_string(s.value_size) +
                          "; its values are references (fds for the kernel), value_size must be 4",
                      "Declare the value as __u32.");
    if (s.map_flags & (map_flag::kRdonlyProg | map_flag::kWronlyProg))
        return c.fail(-kerrno::kEINVAL, c.kind() + ": BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are not supported for "
                                                   "maps of programs or maps");
    return ArrayMap::alloc_check(c);
}

}  // namespace bpfplay
