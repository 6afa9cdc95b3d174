#include "core/maps/local_storage_map.hpp"

#include <cstring>

#include "core/maps/map_state.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

uint64_t LocalStorageMap::footprint(const MapSpec& spec) {
    return uint64_t(kOwnerSlots) * (round8(spec.value_size) + 9);
}

MapCheckResult LocalStorageMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    // The kernel answers every one of these with a bare -EINVAL, in one test.
    if (auto err = c.unknown_flags(f::kNoPrealloc | f::kClone)) return err;
    if (!(s.map_flags & f::kNoPrealloc))
        return c.fail(-e::kEINVAL, c.kind() + " lacks BPF_F_NO_PREALLOC; local storage is allocated per owner",
                      "Add __uint(map_flags, BPF_F_NO_PREALLOC) to the definition.");
    if (s.max_entries != 0)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has max_entries " + std::to_string(s.max_entries) +
                          "; a local storage map holds one value per owner and takes max_entries 0",
                      "Remove __uint(max_entries, ...) from the definition.");
    if (s.key_size != 4)
        return c.fail(-e::kEINVAL, c.kind() + " has key_size " + std::to_string(s.key_size) +
                                       "; its key is an int (the owner's fd from user space)",
                      "Declare the key with __type(key, int).");
    if (s.value_size == 0) return c.fail(-e::kEINVAL, c.kind() + " has value_size 0");
    if (s.btf_key_type_id == 0 || s.btf_value_type_id == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has no BTF for its key and value; the kernel requires it",
                      "Declare the map in SEC(\".maps\") with __type(key, int) and __type(value, ...).");
    if (s.value_size > kMaxValueSize)
        return c.fail(-e::kE2BIG, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                      "; a local storage value holds at most " + std::to_string(kMaxValueSize) +
                                      " bytes");
    return std::nullopt;
}

LocalStorageMap::LocalStorageMap(const MapSpec& spec)
    : Map(spec, kOwnerSlots, uint32_t(round8(spec.value_size)), /*program_visible=*/true) {}

std::unique_ptr<LocalStorageMap> LocalStorageMap::make(const MapSpec& spec) {
    std::unique_ptr<LocalStorageMap> map(new LocalStorageMap(spec));
    if (!map->allocate_storage()) return nullptr;
    map->owners_.assign(kOwnerSlots, 0);
    map->used_.assign(kOwnerSlots, 0);
    return map;
}

StorageOwner LocalStorageMap::owner_kind() const {
    switch (type()) {
    case MapType::SkStorage: return StorageOwner::Socket;
    case MapType::InodeStorage: return StorageOwner::Inode;
    case MapType::CgrpStorage: return StorageOwner::Cgroup;
    case MapType::TaskStorage: return StorageOwner::Task;
    // Every other type: LocalStorageMap::make is only reached from the four rows above.
    // Listed without a default so -Wswitch names a new storage type that forgets its owner.
    case MapType::Unspec:
    case MapType::Hash:
    case MapType::Array:
    case MapType::ProgArray:
    case MapType::PerfEventArray:
    case MapType::PercpuHash:
    case MapType::PercpuArray:
    case MapType::StackTrace:
    case MapType::CgroupArray:
    case MapType::LruHash:
    case MapType::LruPercpuHash:
    case MapType::LpmTrie:
    case MapType::ArrayOfMaps:
    case MapType::HashOfMaps:
    case MapType::Devmap:
    case MapType::Sockmap:
    case MapType::Cpumap:
    case MapType::Xskmap:
    case MapType::Sockhash:
    case MapType::CgroupStorage:
    case MapType::ReuseportSockarray:
    case MapType::PercpuCgroupStorage:
    case MapType::Queue:
    case MapType::Stack:
    case MapType::DevmapHash:
    case MapType::StructOps:
    case MapType::Ringbuf:
    case MapType::BloomFilter:
    case MapType::UserRingbuf:
    case MapType::Arena:
        break;
    }
    return StorageOwner::Task;
}

const char* LocalStorageMap::owner_noun() const {
    switch (owner_kind()) {
    case StorageOwner::Socket: return "socket";
    case StorageOwner::Inode: return "inode";
    case StorageOwner::Cgroup: return "cgroup";
    case StorageOwner::Task: break;
    }
    return "task";
}

std::optional<uint32_t> LocalStorageMap::slot_of(uint64_t owner) const {
    for (uint32_t s = 0; s < kOwnerSlots; ++s)
        if (used_[s] && owners_[s] == owner) return s;
    return std::nullopt;
}

std::optional<uint32_t> LocalStorageMap::create(uint64_t owner, const uint8_t* value_or_null) {
    for (uint32_t s = 0; s < kOwnerSlots; ++s) {
        if (used_[s]) continue;
        if (value_or_null) {
            store_value(s, 0, value_or_null);
        } else {
            zero_slot(s);
        }
        used_[s] = 1;
        owners_[s] = owner;
        ++count_;
        return s;
    }
    return std::nullopt;
}

int64_t LocalStorageMap::remove(uint64_t owner) {
    const std::optional<uint32_t> s = slot_of(owner);
    if (!s) return -e::kENOENT;
    used_[*s] = 0;
    owners_[*s] = 0;
    --count_;
    return 0;
}

std::optional<uint64_t> LocalStorageMap::owner_of_slot(uint32_t slot) const {
    if (slot >= kOwnerSlots || !used_[slot]) return std::nullopt;
    return owners_[slot];
}

// The user's key names the owner by its id (see the header).
int64_t LocalStorageMap::do_delete_elem(const uint8_t* key) { return remove(load_le<uint32_t>(key)); }

int64_t LocalStorageMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const std::optional<uint32_t> s = slot_of(load_le<uint32_t>(key));
    if (!s) return -e::kENOENT;
    std::memcpy(value, slot_ptr(*s), value_size());
    return 0;
}

// bpf_local_storage_update: flags first, then the owner's current value.
int64_t LocalStorageMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    if ((flags & ~map_update::kLock) > map_update::kExist) return -e::kEINVAL;
    const uint64_t owner = load_le<uint32_t>(key);
    const std::optional<uint32_t> s = slot_of(owner);
    const uint64_t mode = flags & ~map_update::kLock;
    if (s && mode == map_update::kNoExist) return -e::kEEXIST;
    if (!s && mode == map_update::kExist) return -e::kENOENT;
    if (s) {
        store_value(*s, 0, value);
        return 0;
    }
    return create(owner, value) ? 0 : -e::kENOMEM;
}

void LocalStorageMap::for_each_entry(const EntryVisitor& visit) const {
    for (uint32_t s = 0; s < kOwnerSlots; ++s) {
        if (!used_[s]) continue;
        uint8_t key[4];
        store_le<uint32_t>(key, uint32_t(owners_[s]));
        if (!visit(std::span<const uint8_t>(key, 4), s)) return;
    }
}

std::optional<std::vector<uint8_t>> LocalStorageMap::key_of_slot(uint32_t slot) const {
    const std::optional<uint64_t> owner = owner_of_slot(slot);
    if (!owner) return std::nullopt;
    std::vector<uint8_t> key(4);
    store_le<uint32_t>(key.data(), uint32_t(*owner));
    return key;
}

std::string LocalStorageMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::optional<uint64_t> owner = owner_of_slot(slot);
    if (!owner) return {};
    const std::string id = std::to_string(*owner);
    switch (owner_kind()) {
    case StorageOwner::Socket: return "socket cookie " + id;
    case StorageOwner::Inode: return "inode " + id;
    case StorageOwner::Cgroup: return "cgroup id " + id;
    case StorageOwner::Task: break;
    }
    return "task pid " + id;
}

void LocalStorageMap::save_extra(StateWriter& w) const {
    w.vec(owners_);
    w.vec(used_);
    w.pod(count_);
}

void LocalStorageMap::restore_extra(StateReader& r) {
    r.vec(owners_);
    r.vec(used_);
    r.pod(count_);
}

} // namespace bpfplay
