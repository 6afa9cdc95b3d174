#pragma once
// BPF_MAP_TYPE_XSKMAP (net/xdp/xskmap.c): AF_XDP sockets by index, for bpf_redirect_map. A
// redirected packet goes to that socket's RX ring, where its user-space program reads it
// (every AF_XDP program: libxdp, DPDK's af_xdp driver, Suricata). Keys are u32 indexes
// (usually the RX queue); user space writes a socket's fd.
//
// The host has no AF_XDP sockets: a value stands for one (bpfplay keeps the number user space
// wrote and does not check it names an XDP socket, where the kernel answers a bad fd with
// -EBADF or -ENOTSOCK and another socket with -EOPNOTSUPP; nor that it is bound to the
// packet's device and queue, without which the kernel drops the redirected packet).
//
// Kernel rules kept: creation needs max_entries > 0, key_size 4, value_size 4 and no flag but
// BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY (-EINVAL); an update takes BPF_ANY, BPF_NOEXIST
// (-EEXIST on a set slot) or BPF_EXIST (-ENOENT on an empty one), other flags -EINVAL, a key
// past max_entries -E2BIG; user-space lookups are -EOPNOTSUPP; deleting an empty slot is no
// error, a key past max_entries -EINVAL; get_next_key walks every index. Programs look entries up
// (a read-only struct bpf_xdp_sock { __u32 queue_id; }, queue 0 here; NULL for an empty slot)
// and redirect through them.
#include <memory>
#include <optional>
#include <vector>

#include "core/maps/map_check.hpp"
#include "core/maps/slot_array_map.hpp"

namespace bpfplay {

class XskMap final : public SlotArrayMap {
  public:
    static uint64_t footprint(const MapSpec& spec) { return uint64_t(spec.max_entries) * (8 + 4 + 1); }
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<XskMap> make(const MapSpec& spec);

    // __xsk_map_lookup_elem for bpf_redirect_map: the socket (the fd user space wrote), nullopt
    // for an empty slot or a key past max_entries.
    std::optional<uint32_t> socket_at(uint32_t index) const;
    // "AF_XDP socket fd 7".
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t*, uint8_t*) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit XskMap(const MapSpec& spec) : SlotArrayMap(spec, 8, /*program_visible=*/true) {}
    std::vector<uint32_t> fds_;  // per index: what user space wrote
};

} // namespace bpfplay
