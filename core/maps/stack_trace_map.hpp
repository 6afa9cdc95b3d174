#pragma once
// BPF_MAP_TYPE_STACK_TRACE, kernel/bpf/stackmap.c: call stacks by id, stored by bpf_get_stackid
// (core/run/stack_helpers.cpp) and read from user space (bcc's profile, offcputime, stackcount).
//
// The map is a hash table of n_buckets = roundup_pow_of_two(max_entries) buckets; a stack's id
// is jhash2(its instruction pointers, 0) & (n_buckets - 1), so the ids are the kernel's for the
// same addresses. A bucket holds one stack (a collision is -EEXIST unless BPF_F_REUSE_STACKID
// replaces it), and at most max_entries buckets hold one at a time (the kernel's preallocated
// elements; one more is -ENOMEM). Values are value_size bytes: the addresses, u64 each, then
// zeros -- or, with BPF_F_STACK_BUILD_ID, 32-byte struct bpf_stack_build_id entries; bpfplay
// knows no build ids, so each says BPF_STACK_BUILD_ID_IP with the address, which is what the
// kernel writes when it cannot read a build id.
//
// Programs reach the map only through bpf_get_stackid (the verifier refuses lookups), so no
// program holds a pointer into it and its values are not mapped. User space looks stacks up
// by id (-ENOENT for an empty bucket or an id past the buckets), deletes them (-E2BIG past the
// buckets), walks ids in order with get_next_key, and cannot update (-EINVAL).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

constexpr uint32_t kPerfEventMaxStack = 127;   // sysctl kernel.perf_event_max_stack (default)
constexpr uint32_t kStackBuildIdSize = 32;     // sizeof(struct bpf_stack_build_id)
constexpr int32_t kStackBuildIdIp = 2;         // BPF_STACK_BUILD_ID_IP

class StackTraceMap final : public Map {
  public:
    static uint64_t footprint(const MapSpec& spec);
    // stack_map_alloc's checks.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<StackTraceMap> make(const MapSpec& spec);

    uint32_t buckets() const { return slot_count(); }
    bool build_id() const { return map_flags() & map_flag::kStackBuildId; }
    // Bytes of one stored frame: 8, or 32 with BPF_F_STACK_BUILD_ID (stack_map_data_size).
    uint32_t frame_bytes() const { return build_id() ? kStackBuildIdSize : 8; }

    // __bpf_get_stackid after the flags check and the walk: `ips` are the frames left after
    // `skip` (at most value_size / frame_bytes()). Returns the id or -EEXIST / -ENOMEM.
    int64_t store(std::span<const uint64_t> ips, uint64_t flags);
    // The frames stored under `id` (empty when none).
    std::vector<uint64_t> frames(uint32_t id) const;
    // Names for addresses in labels ("do_sys_openat2+0x0"): the helper passes the host's frames.
    void remember_symbol(uint64_t ip, const std::string& symbol) { symbols_[ip] = symbol; }

    uint32_t count() const override { return count_; }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    // "id 280: 3 frames: do_sys_openat2+0x0 <- __x64_sys_openat+0x55 <- ..." (innermost first).
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEINVAL; }
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t*, const uint8_t*, uint64_t) override { return -kerrno::kEINVAL; }
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit StackTraceMap(const MapSpec& spec);
    // The bytes a stack takes in a bucket (frames as the map stores them, then zeros).
    std::vector<uint8_t> encode(std::span<const uint64_t> ips) const;

    std::vector<uint32_t> hash_;  // per bucket
    std::vector<uint32_t> nr_;    // per bucket: frames stored, 0 when empty
    uint32_t count_ = 0;          // buckets holding a stack
    std::map<uint64_t, std::string> symbols_;  // display only, not part of the state
};

} // namespace bpfplay
