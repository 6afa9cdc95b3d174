#pragma once
// BPF_MAP_TYPE_DEVMAP (kernel/bpf/devmap.c): an array of network devices for
// bpf_redirect_map. Keys are u32 indexes; a value is the device's ifindex (value_size 4) or a
// struct bpf_devmap_val {u32 ifindex; u32 prog fd on write / prog id on read} (value_size 8).
// Slots start empty; writing ifindex 0 empties one. Programs may look entries up (read-only:
// the kernel adds BPF_F_RDONLY_PROG at creation) and redirect through them, never write.
//
// bpfplay does not check at update time that the ifindex names one of the host's devices
// (the map does not know the host); bpf_redirect_map's exit report says when it does not.
// BPF_MAP_TYPE_DEVMAP_HASH is a HashMap with the same key and value checks.
#include <memory>
#include <optional>
#include <vector>

#include "core/maps/map_check.hpp"
#include "core/maps/slot_array_map.hpp"

namespace bpfplay {

class DevMap final : public SlotArrayMap {
  public:
    static uint64_t footprint(const MapSpec& spec);
    // dev_map_init_map's checks (devmap and devmap_hash).
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<DevMap> make(const MapSpec& spec);

  protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) override;
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;

  private:
    explicit DevMap(const MapSpec& spec);
};

// The ifindex a devmap (either kind) holds for `key`, or nullopt when the key has no entry:
// what __dev_map_lookup_elem / __dev_map_hash_lookup_elem find for bpf_redirect_map.
std::optional<uint32_t> devmap_ifindex(Map& map, uint32_t key);

} // namespace bpfplay
