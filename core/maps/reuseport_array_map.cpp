#include "core/maps/reuseport_array_map.hpp"

#include "core/maps/array_map.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

// reuseport_array_alloc_check: a 4- or 8-byte value, then the array's checks.
MapCheckResult ReuseportArrayMap::alloc_check(const MapCheck& c) {
    if (auto bad = value_size_check(c)) return *bad;
    return ArrayMap::alloc_check(c);
}

std::unique_ptr<ReuseportArrayMap> ReuseportArrayMap::make(const MapSpec& spec) {
    std::unique_ptr<ReuseportArrayMap> map(new ReuseportArrayMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

bool ReuseportArrayMap::holds(uint64_t cookie) const {
    for (uint32_t i = 0; i < max_entries(); ++i)
        if (socket_at(i) == cookie) return true;
    return false;
}

int64_t ReuseportArrayMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries()) return -e::kE2BIG;
    if (!clear(index)) return -e::kENOENT;
    clear_socket(index);
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
    set_socket(index, uint64_t(cookie));
    return 0;
}

}  // namespace bpfplay
