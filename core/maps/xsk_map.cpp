#include "core/maps/xsk_map.hpp"

#include <cstring>
#include <string>

#include "core/maps/map_state.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

// xsk_map_alloc.
MapCheckResult XskMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries 0; it needs a slot per AF_XDP socket");
    if (s.key_size != 4 || s.value_size != 4)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) + " and value_size " +
                          std::to_string(s.value_size) + "; an xskmap maps u32 indexes to socket fds (4 and 4)",
                      "Declare the key and the value as __u32.");
    if (auto err = c.unknown_flags(map_flag::kNumaNode | map_flag::kRdonly | map_flag::kWronly)) return err;
    return std::nullopt;
}

std::unique_ptr<XskMap> XskMap::make(const MapSpec& spec) {
    std::unique_ptr<XskMap> map(new XskMap(spec));
    if (!map->allocate_storage()) return nullptr;
    map->fds_.assign(spec.max_entries, 0);
    return map;
}

std::optional<uint32_t> XskMap::socket_at(uint32_t index) const {
    if (!is_set(index)) return std::nullopt;
    return fds_[index];
}

// xsk_map_lookup_elem: the socket's struct bpf_xdp_sock (its queue_id), NULL for an empty slot.
uint64_t XskMap::do_lookup_elem(const uint8_t* key, uint32_t) {
    const uint32_t index = load_le<uint32_t>(key);
    return is_set(index) ? value_address(index) : 0;
}

// xsk_map_delete_elem: an empty slot is no error.
int64_t XskMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kEINVAL;
    clear(index);
    fds_[index] = 0;
    std::memset(slot_ptr(index), 0, 8);
    return 0;
}

// xsk_map_update_elem, in its order (the fd checks aside: see the header).
int64_t XskMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    const uint32_t index = load_le<uint32_t>(key);
    if (flags > map_update::kExist) return -e::kEINVAL;
    if (index >= max_entries()) return -e::kE2BIG;
    const uint32_t fd = load_le<uint32_t>(value);
    if (is_set(index) && fds_[index] == fd) return 0;  // the same socket again: nothing to do
    if (is_set(index) && flags == map_update::kNoExist) return -e::kEEXIST;
    if (!is_set(index) && flags == map_update::kExist) return -e::kENOENT;
    mark_set(index);
    fds_[index] = fd;
    std::memset(slot_ptr(index), 0, 8);  // struct bpf_xdp_sock: queue_id 0
    return 0;
}

std::string XskMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::optional<uint32_t> fd = socket_at(slot);
    return fd ? "AF_XDP socket fd " + std::to_string(*fd) : std::string();
}

void XskMap::save_extra(StateWriter& w) const {
    SlotArrayMap::save_extra(w);
    w.vec(fds_);
}

void XskMap::restore_extra(StateReader& r) {
    SlotArrayMap::restore_extra(r);
    r.vec(fds_);
}

} // namespace bpfplay
