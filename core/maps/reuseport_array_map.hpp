#pragma once
// BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (kernel/bpf/reuseport_array.c): the sockets of a SO_REUSEPORT
// group by index, from which an sk_reuseport program picks the one a new connection or datagram
// goes to. As with sockmap (sock_map.hpp), user space writes a socket's cookie where the kernel
// takes its fd, and reads the cookie back (value_size 8 only: -ENOSPC).
//
// Kernel rules kept: creation as an array (key_size 4, max_entries > 0, the array flags) with a
// value_size of 4 or 8 (-EINVAL). An update checks flags (-EINVAL past BPF_EXIST), the index
// (-E2BIG), an 8-byte value past S32_MAX (-EINVAL), the socket (-EBADF), BPF_NOEXIST/BPF_EXIST
// (-EEXIST/-ENOENT), that it has SO_REUSEPORT and is hashed (a listening TCP socket or a bound
// UDP one; else -EINVAL), and that no reuseport_sockarray holds it already (-EBUSY: the kernel
// marks the socket's sk_user_data). Deleting past max_entries is -E2BIG, an empty slot
// -ENOENT; get_next_key walks every index. Programs may look a socket up (no reference).
#include <memory>
#include <optional>
#include <string>

#include "core/maps/map_check.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/sock_map.hpp"

namespace bpfplay {

class ReuseportArrayMap final : public SocketSlotArray {
  public:
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<ReuseportArrayMap> make(const MapSpec& spec);

    bool holds(uint64_t cookie) const;

  protected:
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;

  private:
    explicit ReuseportArrayMap(const MapSpec& spec) : SocketSlotArray(spec) {}
};

}  // namespace bpfplay
