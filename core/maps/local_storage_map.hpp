#pragma once
// The local storage maps of kernel/bpf/bpf_local_storage.c: BPF_MAP_TYPE_TASK_STORAGE,
// SK_STORAGE, INODE_STORAGE and CGRP_STORAGE. Such a map has no keys of its own: it attaches
// one value to each kernel object (its owner: a task, a socket, an inode, a cgroup) that a
// program asked for one with bpf_{task,sk,inode,cgrp}_storage_get(..., F_CREATE)
// (core/run/local_storage_helpers.cpp), and the value lives as long as the owner does.
//
// Owners: the helpers name an owner by the host's id for it -- a task's pid, a socket's
// cookie, a cgroup's id, an inode's number. User space names it with a 4-byte key: the kernel
// takes an fd there (a pidfd, a socket fd, a file fd, a cgroup directory fd); bpfplay, which
// has no fds for host objects, takes that same id (its low 32 bits), and does not check that
// the owner exists (the kernel's -EBADF for a bad fd has no counterpart).
//
// Kernel behaviour kept: creation needs BPF_F_NO_PREALLOC, max_entries 0, key_size 4, a
// non-zero value_size and BTF for key and value (-EINVAL), value_size at most 65407
// (U16_MAX - sizeof(struct bpf_local_storage_elem): -E2BIG); user updates take BPF_ANY,
// BPF_NOEXIST (-EEXIST when the owner has a value) and BPF_EXIST (-ENOENT when it has none);
// get_next_key is -ENOTSUPP (the kernel walks these maps only with iterators).
//
// Layout: kOwnerSlots value slots, created values take the lowest free one (the kernel
// allocates elements without limit; a map here holds at most kOwnerSlots owners, and one
// more is -ENOMEM, which bpf_*_storage_get answers with NULL as the kernel does for a
// failed allocation). A deleted value's bytes stay until the slot is reused, as freed
// kernel memory stays readable through a stale pointer until reused.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

enum class StorageOwner : uint8_t { Task, Socket, Inode, Cgroup };

class LocalStorageMap final : public Map {
  public:
    static constexpr uint32_t kOwnerSlots = 64;
    // BPF_LOCAL_STORAGE_MAX_VALUE_SIZE on x86-64: U16_MAX - 128 (the element header).
    static constexpr uint32_t kMaxValueSize = 65535 - 128;

    static uint64_t footprint(const MapSpec& spec);
    // bpf_local_storage_map_alloc_check.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<LocalStorageMap> make(const MapSpec& spec);

    StorageOwner owner_kind() const;
    // "task", "socket", "inode", "cgroup".
    const char* owner_noun() const;

    // The slot holding `owner`'s value, if it has one.
    std::optional<uint32_t> slot_of(uint64_t owner) const;
    // bpf_local_storage_update(owner, value, BPF_NOEXIST) from a program's get with
    // F_CREATE: the value is `value` (value_size bytes) or zeros when null. The new slot, or
    // nullopt when the map has no slot left (the kernel's -ENOMEM).
    std::optional<uint32_t> create(uint64_t owner, const uint8_t* value_or_null);
    // Deletes `owner`'s value: 0, or -ENOENT when it has none.
    int64_t remove(uint64_t owner);
    // The owner whose value is in `slot`, if any.
    std::optional<uint64_t> owner_of_slot(uint32_t slot) const;

    uint32_t count() const override { return count_; }
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    // "task pid 4242", "socket cookie 3", "cgroup id 5", "inode 12".
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    // Programs reach the map only through its own helpers (the verifier refuses the generic
    // map helpers), so these are never called for a loaded program.
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEINVAL; }
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t*, uint8_t*) override { return -kerrno::kENOTSUPP; }
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit LocalStorageMap(const MapSpec& spec);

    std::vector<uint64_t> owners_;  // per slot
    std::vector<uint8_t> used_;     // per slot: 1 while it holds an owner's value
    uint32_t count_ = 0;
};

} // namespace bpfplay
