#include "core/maps/reuseport_array_map.hpp"

#include "core/maps/array_map.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

// reuseport_array_alloc_check: a 4- or 8-byte value, then the array's checks.
MapCheckResult ReuseportArrayMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.value_size != 4 && s.value_size != 8)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has value_size " + std::to_string(s.value_size) +
                          "; a reuseport_sockarray's value is a socket (a __u32 or __u64: 4 or 8 bytes)",
                      "Declare the value as __u64 (user space then reads each socket's cookie) or __u32.");
    return ArrayMap::alloc_check(c);
}

std::unique_ptr<ReuseportArrayMap> ReuseportArrayMap::make(const MapSpec& spec) {
    std::unique_ptr<ReuseportArrayMap> map(new ReuseportArrayMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

std::optional<uint64_t> ReuseportArrayMap::socket_at(uint32_t index) const {
    if (!is_set(index)) return std::nullopt;
    return load_le<uint64_t>(slot_ptr(index));
}

bool ReuseportArrayMap::holds(uint64_t cookie) const {
    for (uint32_t i = 0; i < max_entries(); ++i)
        if (socket_at(i) == cookie) return true;
    return false;
}

uint64_t ReuseportArrayMap::do_lookup_elem(const uint8_t* key, uint32_t) {
    const std::optional<uint64_t> cookie = socket_at(load_le<uint32_t>(key));
    if (!cookie || !owner()) return 0;
    const std::optional<SocketInfo> s = owner()->socket_info(*cookie);
    return s ? s->address : 0;
}

int64_t ReuseportArrayMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kE2BIG;
    if (!clear(index)) return -e::kENOENT;
    store_le<uint64_t>(slot_ptr(index), 0);
    return 0;
}

int64_t ReuseportArrayMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    if (value_size() != 8) return -e::kENOSPC;
    const std::optional<uint64_t> cookie = socket_at(load_le<uint32_t>(key));
    if (!cookie) return -e::kENOENT;
    store_le<uint64_t>(value, *cookie);
    return 0;
}

// bpf_fd_reuseport_array_update_elem and reuseport_array_update_check, in their order.
int64_t ReuseportArrayMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    const uint32_t index = load_le<uint32_t>(key);
    if (flags > map_update::kExist) return -e::kEINVAL;
    if (index >= max_entries()) return -e::kE2BIG;
    int64_t cookie = 0;
    if (value_size() == 8) {
        const uint64_t v = load_le<uint64_t>(value);
        if (v > 0x7fffffff) return -e::kEINVAL;
        cookie = int64_t(v);
    } else {
        cookie = int32_t(load_le<uint32_t>(value));  // an int fd: a negative one is no socket
    }
    const std::optional<SocketInfo> s =
        cookie < 0 ? std::nullopt : (owner() ? owner()->socket_info(uint64_t(cookie)) : SocketInfo{});
    if (!s) return -e::kEBADF;
    if (is_set(index) && flags == map_update::kNoExist) return -e::kEEXIST;
    if (!is_set(index) && flags == map_update::kExist) return -e::kENOENT;
    if (owner() && (!s->reuseport || !s->hashed)) return -e::kEINVAL;
    // The socket's sk_user_data points at its slot while any reuseport_sockarray holds it.
    if (owner())
        for (uint32_t id = 0; id < owner()->size(); ++id) {
            const Map* m = owner()->get(id);
            if (m && m->type() == MapType::ReuseportSockarray &&
                static_cast<const ReuseportArrayMap*>(m)->holds(uint64_t(cookie)))
                return -e::kEBUSY;
        }
    mark_set(index);
    store_le<uint64_t>(slot_ptr(index), uint64_t(cookie));
    return 0;
}

std::string ReuseportArrayMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::optional<uint64_t> cookie = socket_at(slot);
    return cookie ? "socket with cookie " + std::to_string(*cookie) : std::string();
}

}  // namespace bpfplay
