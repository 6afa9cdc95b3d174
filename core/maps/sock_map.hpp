#pragma once
// BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c): the host's sockets by
// u32 index or by key, for the sk_msg and sk_skb programs that redirect messages and skbs
// between sockets (bpf_msg_redirect_map/hash, bpf_sk_redirect_map/hash) and the sock_ops
// programs that fill them (bpf_sock_map_update, bpf_sock_hash_update).
//
// Sockets: an entry names one of the host's sockets (Host::net.sockets) by its cookie. User
// space writes a socket where the kernel takes its fd; bpfplay, which has no fds for host
// sockets, takes its cookie -- the convention of the local storage maps' user-side keys. A
// user-space lookup returns the cookie, as the kernel's does (with value_size 8; value_size 4
// is -ENOSPC). The MapSet's socket resolver says which cookies name sockets (-EBADF for the
// others, the kernel's answer for a bad fd) and their protocol and state.
//
// Kernel rules kept: creation needs max_entries > 0, value_size 4 or 8, a sockmap key_size 4
// (a sockhash: key_size > 0, at most 512 (MAX_BPF_STACK) else -E2BIG) and no flag but
// BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY (-EINVAL). An update checks the value is at most
// S32_MAX (-EINVAL), the socket exists (-EBADF), a TCP socket is ESTABLISHED or LISTEN
// (-EOPNOTSUPP; UDP sockets any state), then flags BPF_ANY/NOEXIST/EXIST (others -EINVAL;
// -EEXIST, -ENOENT), a sockmap index past max_entries (-E2BIG), a full sockhash (-E2BIG).
// Deleting an empty sockmap slot is -EINVAL, a missing sockhash key -ENOENT. A sockmap's
// get_next_key walks every index (set or not); a sockhash's walks jhash(key, key_size, 0)'s
// buckets (roundup_pow_of_two(max_entries) of them) in order, newest entry first in a bucket,
// exactly as the kernel does (its sockhash hash has no random seed).
//
// Programs look a socket up and get a struct bpf_sock they hold a reference to (the caller,
// core/maps/map_helpers.cpp, records it: bpf_sk_release gives it back), or NULL; they may
// delete entries; they add sockets only through bpf_sock_map_update / bpf_sock_hash_update.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/maps/map_check.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/slot_array_map.hpp"

namespace bpfplay {

namespace sock_map_detail {
// sock_map_update_elem_sys's checks of the value user space gave (the socket): 0 and the
// cookie, or the negative errno.
int64_t user_socket(const Map& map, const uint8_t* value, uint64_t& cookie);
// sock_map_sk_state_allowed: TCP sockets must be ESTABLISHED or LISTEN.
bool state_allowed(const SocketInfo& s);
// The struct bpf_sock address of the socket with `cookie`, 0 when the host has no such socket.
uint64_t socket_address_of(const Map& map, uint64_t cookie);
}  // namespace sock_map_detail

// What SOCKMAP and REUSEPORT_SOCKARRAY share: u32-indexed slots each holding a socket's cookie,
// a program's lookup giving the socket's struct bpf_sock (NULL for an empty slot), user space's
// giving the cookie (value_size 8 only: -ENOSPC). Updates and deletes are each type's own.
class SocketSlotArray : public SlotArrayMap {
  public:
    static uint64_t footprint(const MapSpec& spec) { return uint64_t(spec.max_entries) * (8 + 1); }
    // A socket map's value is a socket: value_size 4 or 8 (-EINVAL), for both types.
    static std::optional<MapCheckResult> value_size_check(const MapCheck& c);

    // The cookie of the socket at `index`, nullopt for an empty slot.
    std::optional<uint64_t> socket_at(uint32_t index) const;
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    explicit SocketSlotArray(const MapSpec& spec) : SlotArrayMap(spec, 8, /*program_visible=*/false) {}
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    void set_socket(uint32_t index, uint64_t cookie);
    void clear_socket(uint32_t index);
};

class SockMap final : public SocketSlotArray {
  public:
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<SockMap> make(const MapSpec& spec);

    // sock_map_update_common for a socket a program has (bpf_sock_map_update): the socket's
    // state is the caller's to check.
    int64_t update_socket(uint32_t index, uint64_t cookie, uint64_t flags);

  protected:
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;

  private:
    explicit SockMap(const MapSpec& spec) : SocketSlotArray(spec) {}
};

class SockHash final : public Map {
  public:
    static constexpr uint32_t kMaxKeySize = 512;  // MAX_BPF_STACK
    static uint64_t footprint(const MapSpec& spec);
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<SockHash> make(const MapSpec& spec);

    // __sock_hash_lookup_elem: the cookie of the socket under `key`, nullopt when none.
    std::optional<uint64_t> socket_of(const uint8_t* key) const;
    // sock_hash_update_common for a socket a program has (bpf_sock_hash_update).
    int64_t update_socket(const uint8_t* key, uint64_t cookie, uint64_t flags);

    uint32_t count() const override { return count_; }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    static constexpr uint32_t kNone = UINT32_MAX;
    explicit SockHash(const MapSpec& spec);
    uint32_t bucket_of(const uint8_t* key) const;
    uint32_t find(const uint8_t* key) const;  // the slot, or kNone
    void unlink(uint32_t slot);
    const uint8_t* key_ptr(uint32_t slot) const { return keys_.data() + uint64_t(slot) * key_size(); }

    std::vector<uint32_t> heads_;  // per bucket: its first (newest) slot, kNone when empty
    std::vector<uint32_t> next_;   // per slot: the next slot in its bucket
    std::vector<uint8_t> used_;    // per slot: 1 while it holds an entry
    std::vector<uint8_t> keys_;
    uint32_t count_ = 0;
};

}  // namespace bpfplay
