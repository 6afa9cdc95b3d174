#include "core/maps/dev_map.hpp"

#include <cstring>

#include "core/maps/array_map.hpp"
#include "core/maps/map_state.hpp"
#include "core/memory.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

namespace e = kerrno;

uint64_t DevMap::footprint(const MapSpec& spec) {
    return uint64_t(spec.max_entries) * (8 + 1);
}

DevMap::DevMap(const MapSpec& spec) : SlotArrayMap(spec, 8, /*program_visible=*/true) {}

std::unique_ptr<DevMap> DevMap::make(const MapSpec& spec) {
    std::unique_ptr<DevMap> map(new DevMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

// dev_map_lookup_elem: a pointer to the entry's struct bpf_devmap_val, NULL for an empty slot.
uint64_t DevMap::do_lookup_elem(const uint8_t* key, uint32_t) {
    const uint32_t index = load_le<uint32_t>(key);
    if (!is_set(index)) return 0;
    return value_address(index);
}

// The verifier refuses bpf_map_update_elem / delete_elem on a devmap from a program.
int64_t DevMap::do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) {
    return -e::kEOPNOTSUPP;
}

// dev_map_delete_elem: an empty slot is no error.
int64_t DevMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kEINVAL;
    clear(index);
    std::memset(slot_ptr(index), 0, 8);
    return 0;
}

int64_t DevMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const uint32_t index = load_le<uint32_t>(key);
    if (!is_set(index)) return -e::kENOENT;
    std::memcpy(value, slot_ptr(index), value_size());
    return 0;
}

// __dev_map_update_elem: flags, then the index, then BPF_NOEXIST (always -EEXIST: every slot
// exists), then the value. Ifindex 0 empties the slot and may not name a program.
int64_t DevMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    const uint32_t index = load_le<uint32_t>(key);
    if (flags > map_update::kExist) return -e::kEINVAL;
    if (index >= max_entries()) return -e::kE2BIG;
    if (flags == map_update::kNoExist) return -e::kEEXIST;
    const uint32_t ifindex = load_le<uint32_t>(value);
    const int32_t prog_fd = value_size() >= 8 ? int32_t(load_le<uint32_t>(value + 4)) : -1;
    // A devmap program (BPF_XDP_DEVMAP) runs on the redirected frame; bpfplay has none to run.
    if (prog_fd > 0) return -e::kEINVAL;
    if (ifindex == 0) return do_delete_elem(key);
    mark_set(index);
    std::memset(slot_ptr(index), 0, 8); // bpf_prog.id reads back 0: no program
    store_le<uint32_t>(slot_ptr(index), ifindex);
    return 0;
}

std::optional<uint32_t> devmap_ifindex(Map& map, uint32_t key) {
    uint8_t k[4];
    store_le<uint32_t>(k, key);
    const uint64_t addr = map.lookup_elem(k, 0);
    if (addr == 0 || addr < map.value_base()) return std::nullopt;
    const std::span<const uint8_t> value =
        map.slot_value(uint32_t((addr - map.value_base()) / map.slot_bytes()));
    if (value.size() < 4) return std::nullopt;
    return load_le<uint32_t>(value.data());
}


MapCheckResult DevMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.max_entries == 0)
        return c.fail(-kerrno::kEINVAL, c.kind() + " has max_entries 0; a map must hold at least one entry");
    if (s.key_size != 4)
        return c.fail(-kerrno::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) +
                          ", but devmap keys are u32: key_size must be 4",
                      "Declare the key as __u32.");
    if (s.value_size != 4 && s.value_size != 8)
        return c.fail(-kerrno::kEINVAL,
                      c.kind() + " has value_size " + std::to_string(s.value_size) +
                          "; a devmap value is an ifindex (4 bytes) or struct bpf_devmap_val (8 bytes)",
                      "Declare the value as __u32 or struct bpf_devmap_val.");
    if (auto err = c.unknown_flags(map_flag::kNumaNode | map_flag::kRdonly | map_flag::kWronly)) return err;
    if (s.type == MapType::DevmapHash && s.max_entries > (1u << 31))
        return c.fail(-kerrno::kEINVAL, c.kind() + " has max_entries " + std::to_string(s.max_entries) +
                                            "; its bucket count (the next power of 2) would overflow");
    return std::nullopt;
}

}  // namespace bpfplay
