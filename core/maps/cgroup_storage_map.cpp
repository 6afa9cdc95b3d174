#include "core/maps/cgroup_storage_map.hpp"

#include <algorithm>
#include <cstring>

#include "core/loader/prog_types.hpp"
#include "core/maps/map_state.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

namespace {

bool percpu_type(const MapSpec& s) { return s.type == MapType::PercpuCgroupStorage; }

} // namespace

uint64_t CgroupStorageMap::footprint(const MapSpec& spec) {
    return uint64_t(kSlots) * (round8(spec.value_size) * cpus_of(spec) + 16);
}

MapCheckResult CgroupStorageMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    const uint64_t max_value = percpu_type(s) ? std::min<uint64_t>(kMaxValueSize, kPcpuMinUnitSize) : kMaxValueSize;
    if (s.key_size != kIsolatedKeySize && s.key_size != 8)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) +
                          "; its key is struct bpf_cgroup_storage_key (16 bytes) or a __u64 cgroup id (8)",
                      "Declare the key with __type(key, struct bpf_cgroup_storage_key).");
    if (s.value_size == 0) return c.fail(-e::kEINVAL, c.kind() + " has value_size 0");
    if (s.value_size > max_value)
        return c.fail(-e::kE2BIG, c.kind() + " has value_size " + std::to_string(s.value_size) + "; at most " +
                                      std::to_string(max_value) + " bytes" +
                                      (percpu_type(s) ? " per CPU" : "") + " fit");
    if (auto err = c.unknown_flags(f::kNumaNode | f::kAccessMask)) return err;
    if (auto err = c.access_flags()) return err;
    if (s.max_entries != 0)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has max_entries " + std::to_string(s.max_entries) +
                          "; it holds one value per attached cgroup and takes max_entries 0",
                      "Remove __uint(max_entries, ...) from the definition.");
    return std::nullopt;
}

CgroupStorageMap::CgroupStorageMap(const MapSpec& spec)
    : Map(spec, kSlots, uint32_t(round8(spec.value_size)) * cpus_of(spec), /*program_visible=*/true) {}

std::unique_ptr<CgroupStorageMap> CgroupStorageMap::make(const MapSpec& spec) {
    std::unique_ptr<CgroupStorageMap> map(new CgroupStorageMap(spec));
    if (!map->allocate_storage()) return nullptr;
    map->cgroups_.assign(kSlots, 0);
    map->attach_.assign(kSlots, 0);
    map->order_.reserve(kSlots);
    return map;
}

std::optional<uint32_t> CgroupStorageMap::slot_of(uint64_t cgroup_id, uint32_t attach_type) const {
    if (!attach_type_isolated()) attach_type = 0;
    for (uint32_t s : order_)
        if (cgroups_[s] == cgroup_id && attach_[s] == attach_type) return s;
    return std::nullopt;
}

std::optional<uint32_t> CgroupStorageMap::storage_for(uint64_t cgroup_id, uint32_t attach_type) {
    if (auto s = slot_of(cgroup_id, attach_type)) return s;
    if (order_.size() >= kSlots) return std::nullopt;
    uint32_t slot = 0;
    while (std::find(order_.begin(), order_.end(), slot) != order_.end()) ++slot;
    zero_slot(slot);
    cgroups_[slot] = cgroup_id;
    attach_[slot] = attach_type_isolated() ? attach_type : 0;
    order_.insert(order_.begin(), slot);  // list_add: the newest first
    return slot;
}

std::optional<uint32_t> CgroupStorageMap::slot_of_key(const uint8_t* key) const {
    return slot_of(load_le<uint64_t>(key), attach_type_isolated() ? load_le<uint32_t>(key + 8) : 0);
}

void CgroupStorageMap::write_key(uint32_t slot, uint8_t* out) const {
    std::memset(out, 0, key_size());
    store_le<uint64_t>(out, cgroups_[slot]);
    if (attach_type_isolated()) store_le<uint32_t>(out + 8, attach_[slot]);
}

int64_t CgroupStorageMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const std::optional<uint32_t> s = slot_of_key(key);
    if (!s) return -e::kENOENT;
    if (!is_percpu()) {
        std::memcpy(value, slot_ptr(*s), value_size());
        return 0;
    }
    for (uint32_t c = 0; c < ncpus(); ++c) std::memcpy(value + uint64_t(c) * value_stride(), slot_ptr(*s, c), value_stride());
    return 0;
}

int64_t CgroupStorageMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    // Shared: only BPF_F_LOCK and BPF_EXIST may be set; per-CPU: BPF_ANY or BPF_EXIST.
    const bool flags_ok = is_percpu() ? (flags == map_update::kAny || flags == map_update::kExist)
                                      : !(flags & ~(map_update::kLock | map_update::kExist));
    if (!flags_ok) return -e::kEINVAL;
    const std::optional<uint32_t> s = slot_of_key(key);
    if (!s) return -e::kENOENT;
    if (!is_percpu()) {
        store_value(*s, 0, value);
        return 0;
    }
    for (uint32_t c = 0; c < ncpus(); ++c) std::memcpy(slot_ptr(*s, c), value + uint64_t(c) * value_stride(), value_stride());
    return 0;
}

int64_t CgroupStorageMap::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    if (order_.empty()) return -e::kENOENT;
    size_t next = 0;
    if (key_or_null) {
        const std::optional<uint32_t> s = slot_of_key(key_or_null);
        if (!s) return -e::kENOENT;
        next = size_t(std::find(order_.begin(), order_.end(), *s) - order_.begin()) + 1;
        if (next >= order_.size()) return -e::kENOENT;
    }
    write_key(order_[next], next_key);
    return 0;
}

void CgroupStorageMap::for_each_entry(const EntryVisitor& visit) const {
    std::vector<uint8_t> key(key_size());
    for (uint32_t s : order_) {
        write_key(s, key.data());
        if (!visit(key, s)) return;
    }
}

std::optional<std::vector<uint8_t>> CgroupStorageMap::key_of_slot(uint32_t slot) const {
    if (std::find(order_.begin(), order_.end(), slot) == order_.end()) return std::nullopt;
    std::vector<uint8_t> key(key_size());
    write_key(slot, key.data());
    return key;
}

std::string CgroupStorageMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    if (std::find(order_.begin(), order_.end(), slot) == order_.end()) return {};
    std::string out = "cgroup id " + std::to_string(cgroups_[slot]);
    if (attach_type_isolated()) out += std::string(", ") + attach_type_name(AttachType(attach_[slot]));
    return out;
}

void CgroupStorageMap::save_extra(StateWriter& w) const {
    w.vec(cgroups_);
    w.vec(attach_);
    w.vec(order_, kSlots);
}

void CgroupStorageMap::restore_extra(StateReader& r) {
    r.vec(cgroups_);
    r.vec(attach_);
    r.vec(order_, kSlots);
}

} // namespace bpfplay
