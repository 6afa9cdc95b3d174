#include "core/maps/cpu_map.hpp"

#include <cstring>
#include <string>

#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

namespace {
constexpr int64_t kENODEV = 19, kEOVERFLOW = 75;
}

// cpu_map_alloc.
MapCheckResult CpuMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries 0; it needs a slot per CPU it may redirect to");
    if (s.key_size != 4)
        return c.fail(-e::kEINVAL, c.kind() + " has key_size " + std::to_string(s.key_size) +
                                       "; its keys are u32 CPU numbers",
                      "Declare the key as __u32.");
    if (s.value_size != 4 && s.value_size != 8)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has value_size " + std::to_string(s.value_size) +
                          "; a cpumap value is a queue size (4 bytes) or struct bpf_cpumap_val (8 bytes)",
                      "Declare the value as struct bpf_cpumap_val.");
    if (auto err = c.unknown_flags(map_flag::kNumaNode)) return err;
    if (s.max_entries > kNrCpus)
        return c.fail(-e::kE2BIG, c.kind() + " has max_entries " + std::to_string(s.max_entries) +
                                      "; a cpumap holds at most NR_CPUS (" + std::to_string(kNrCpus) + ")");
    return std::nullopt;
}

std::unique_ptr<CpuMap> CpuMap::make(const MapSpec& spec) {
    std::unique_ptr<CpuMap> map(new CpuMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

std::optional<uint32_t> CpuMap::qsize_of(uint32_t cpu) const {
    if (!is_set(cpu)) return std::nullopt;
    return load_le<uint32_t>(slot_ptr(cpu));
}

// cpu_map_delete_elem: an empty slot is no error.
int64_t CpuMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kEINVAL;
    clear(index);
    std::memset(slot_ptr(index), 0, 8);
    return 0;
}

int64_t CpuMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const uint32_t index = load_le<uint32_t>(key);
    if (!is_set(index)) return -e::kENOENT;
    std::memcpy(value, slot_ptr(index), value_size());
    return 0;
}

// cpu_map_update_elem, in its order.
int64_t CpuMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    const uint32_t cpu = load_le<uint32_t>(key);
    if (flags > map_update::kExist) return -e::kEINVAL;
    if (cpu >= max_entries()) return -e::kE2BIG;
    if (flags == map_update::kNoExist) return -e::kEEXIST;
    const uint32_t qsize = load_le<uint32_t>(value);
    if (qsize > kMaxQsize) return -kEOVERFLOW;
    if (cpu >= ncpus()) return -kENODEV;
    const int32_t prog_fd = value_size() >= 8 ? int32_t(load_le<uint32_t>(value + 4)) : 0;
    if (qsize == 0) return do_delete_elem(key);
    if (prog_fd > 0) return -e::kEINVAL;
    mark_set(cpu);
    std::memset(slot_ptr(cpu), 0, 8);  // bpf_prog.id reads back 0: no program
    store_le<uint32_t>(slot_ptr(cpu), qsize);
    return 0;
}

std::string CpuMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::optional<uint32_t> q = qsize_of(slot);
    return q ? "CPU " + std::to_string(slot) + " (qsize " + std::to_string(*q) + ")" : std::string();
}

} // namespace bpfplay
