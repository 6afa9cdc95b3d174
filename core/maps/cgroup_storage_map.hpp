#pragma once
// BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE, kernel/bpf/local_storage.c: one value
// (one per CPU for the per-CPU type) for each (cgroup, attach type) a program using the map is
// attached to. Programs reach it only with bpf_get_local_storage (core/run/cgroup_storage_helpers.cpp),
// which returns the value of the cgroup the program runs attached to.
//
// Keys: struct bpf_cgroup_storage_key { __u64 cgroup_inode_id; __u32 attach_type; } (key_size
// 16: each attach type of a cgroup has its own value) or a __u64 cgroup id (key_size 8: one
// value per cgroup, shared by its attach types).
//
// Where values come from: the kernel creates a program's storage when the program is attached
// to a cgroup (bpf_cgroup_storage_alloc/link). bpfplay attaches a program when it runs it: the
// first bpf_get_local_storage of a run creates the value of (the host task's cgroup, the
// program's expected attach type), zeroed, and later runs find it. (BPF_PROG_TEST_RUN instead
// gives every test run a fresh storage the map does not list: the first run's answers agree.)
//
// Kernel behaviour kept: creation takes key_size 16 or 8, a non-zero value_size (-EINVAL) of at
// most 65407 bytes, 32768 per CPU (-E2BIG), only BPF_F_NUMA_NODE and the access flags, and
// max_entries 0 (-EINVAL), checked in that order. User space cannot create or delete values:
// lookup and update of a missing key are -ENOENT, delete is -EINVAL, update takes BPF_ANY or
// BPF_EXIST (BPF_NOEXIST: -EINVAL). get_next_key walks the newest value first; a key that is not
// in the map is -ENOENT (no restart). At most kSlots values (the host has few cgroups).
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

class CgroupStorageMap final : public Map {
  public:
    static constexpr uint32_t kSlots = 64;
    static constexpr uint32_t kIsolatedKeySize = 16;  // sizeof(struct bpf_cgroup_storage_key)
    static constexpr uint32_t kMaxValueSize = 65535 - 128;

    static uint64_t footprint(const MapSpec& spec);
    // cgroup_storage_map_alloc's checks.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<CgroupStorageMap> make(const MapSpec& spec);

    // Keys carry the attach type (key_size 16), or only the cgroup id (8).
    bool attach_type_isolated() const { return key_size() == kIsolatedKeySize; }
    // The slot of the value of `cgroup_id` for programs attached as `attach_type`, created
    // (zeroed) when missing; nullopt when the map has no slot left.
    std::optional<uint32_t> storage_for(uint64_t cgroup_id, uint32_t attach_type);
    std::optional<uint32_t> slot_of(uint64_t cgroup_id, uint32_t attach_type) const;

    uint32_t count() const override { return uint32_t(order_.size()); }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    // "cgroup id 5, cgroup_inet_ingress" / "cgroup id 5".
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEINVAL; }
    int64_t do_delete_elem(const uint8_t*) override { return -kerrno::kEINVAL; }
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit CgroupStorageMap(const MapSpec& spec);
    std::optional<uint32_t> slot_of_key(const uint8_t* key) const;
    void write_key(uint32_t slot, uint8_t* out) const;

    std::vector<uint64_t> cgroups_;  // per slot
    std::vector<uint32_t> attach_;   // per slot (0 for 8-byte keys)
    std::vector<uint32_t> order_;    // slots holding a value, newest first
};

} // namespace bpfplay
