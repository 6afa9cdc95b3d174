// The parts every map type shares: the value buffer, and the syscall-level checks that the
// kernel's map_lookup_elem / map_update_elem / ... make before calling the type's operation.
#include "core/maps/map.hpp"
#include "core/maps/map_types.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "core/maps/map_set.hpp"

namespace bpfplay {

namespace e = kerrno;

Map::Map(const MapSpec& spec, uint32_t slot_count, uint32_t slot_bytes, bool program_visible)
    : spec_(spec), slot_count_(slot_count), slot_bytes_(slot_bytes), program_visible_(program_visible) {}

Map::~Map() = default;

bool Map::allocate_storage() {
    // check_map_spec bounds the product by kMaxMapBytes, so it fits in 32 bits.
    const uint64_t bytes = uint64_t(slot_count_) * slot_bytes_;
    storage_size_ = uint32_t(bytes);
    chunk_slots_ = slot_count_;
    // nothrow + value-initialization: zeroed, and an allocation failure is -ENOMEM, not a throw.
    std::unique_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[bytes ? bytes : 1]());
    if (!buffer) return false;
    chunk_ptrs_.assign(1, buffer.get());
    storage_.clear();
    storage_.push_back(std::move(buffer));
    set_allocated(slot_count_);
    return true;
}

void Map::allocate_storage_lazily() {
    const uint64_t per_chunk = slot_bytes_ ? kMapChunkBytes / slot_bytes_ : slot_count_;
    chunk_slots_ = uint32_t(std::clamp<uint64_t>(per_chunk, 1, slot_count_));
    // A growing map's chunk size must differ from slot_count_ (grows() tells them apart);
    // lazily allocated maps are the large ones, so one chunk never holds them all.
    if (chunk_slots_ == slot_count_ && slot_count_ > 1) chunk_slots_ = slot_count_ / 2;
    chunks_.chunk_bytes = uint64_t(chunk_slots_) * slot_bytes_;
    set_allocated(0);
}

void Map::allocate_storage_zero_lazily() {
    allocate_storage_lazily();
    const uint64_t chunk_bytes = uint64_t(chunk_slots_) * slot_bytes_;
    zero_chunk_.reset(new (std::nothrow) uint8_t[chunk_bytes ? chunk_bytes : 1]());
    const uint32_t n = (slot_count_ + chunk_slots_ - 1) / chunk_slots_;
    chunk_ptrs_.assign(n, zero_chunk_.get());
    storage_.clear();
    storage_.resize(n);  // a chunk's own bytes, once written
    written_.assign(n, 0);
    chunks_.zero = zero_chunk_.get();
    chunks_.materialize = [this](uint64_t chunk) { return materialize_chunk(chunk); };
    set_allocated(slot_count_);
}

uint8_t* Map::materialize_chunk(uint64_t chunk) {
    if (chunk >= written_.size()) return nullptr;
    if (written_[chunk]) return chunk_ptrs_[chunk];
    const uint64_t chunk_bytes = uint64_t(chunk_slots_) * slot_bytes_;
    if (!storage_[chunk]) {
        if (written_bytes_ + chunk_bytes > kMaxMapBytes) return nullptr;
        storage_[chunk].reset(new (std::nothrow) uint8_t[chunk_bytes]());
        if (!storage_[chunk]) return nullptr;
        written_bytes_ += chunk_bytes;
    }
    written_[chunk] = 1;
    chunk_ptrs_[chunk] = storage_[chunk].get();
    chunks_.chunks[chunk] = chunk_ptrs_[chunk];
    if (chunk == 0) storage_size_ = uint32_t(chunk_bytes);
    return chunk_ptrs_[chunk];
}

bool Map::make_writable(uint32_t slot) {
    if (!zero_lazy()) return true;
    return materialize_chunk(slot / chunk_slots_) != nullptr;
}

void Map::set_allocated(uint32_t slots) {
    allocated_slots_ = slots;
    chunks_.limit = uint64_t(slots) * slot_bytes_;
    chunks_.chunks = chunk_ptrs_;
    storage_size_ = uint32_t(uint64_t(std::min(slots, chunk_slots_)) * slot_bytes_);
}

bool Map::grow_storage(uint32_t slots) {
    slots = std::min(slots, slot_count_);
    if (slots <= allocated_slots_) return true;
    const uint64_t chunk_bytes = uint64_t(chunk_slots_) * slot_bytes_;
    const uint32_t chunks_needed = (slots + chunk_slots_ - 1) / chunk_slots_;
    while (storage_.size() < chunks_needed) {
        std::unique_ptr<uint8_t[]> chunk(new (std::nothrow) uint8_t[chunk_bytes ? chunk_bytes : 1]());
        if (!chunk) return false;
        chunk_ptrs_.push_back(chunk.get());
        storage_.push_back(std::move(chunk));
    }
    // Slots a restore took back may hold old bytes: a new slot is zeroed, as a fresh one is.
    for (uint32_t s = allocated_slots_; s < slots; ++s)
        std::memset(chunk_ptrs_[s / chunk_slots_] + uint64_t(s % chunk_slots_) * slot_bytes_, 0, slot_bytes_);
    set_allocated(slots);
    return true;
}

uint32_t cpus_of(const MapSpec& spec) {
    const MapTypeInfo* info = map_type_info(spec.type);
    return info && info->percpu ? spec.ncpus : 1;
}

bool Map::is_percpu() const {
    const MapTypeInfo* info = map_type_info(spec_.type);
    return info && info->percpu;
}

uint32_t Map::user_value_size() const {
    if (is_percpu()) return value_stride() * spec_.ncpus;
    return spec_.value_size;
}

std::string Map::describe() const {
    return std::string(map_type_name(spec_.type)) + " map \"" + spec_.name + "\"";
}

uint64_t Map::handle() const { return id_ == kNoId ? 0 : map_handle(id_); }

std::span<const uint8_t> Map::slot_value(uint32_t slot, uint32_t cpu) const {
    const uint32_t cpus = is_percpu() ? spec_.ncpus : 1;
    if (slot >= allocated_slots_ || cpu >= cpus) return {};
    return {slot_ptr(slot, cpu), spec_.value_size};
}

uint64_t Map::value_address(uint32_t slot, uint32_t cpu) const {
    if (value_base_ == 0) return 0;
    return value_base_ + uint64_t(slot) * slot_bytes_ + uint64_t(cpu) * value_stride();
}

void Map::store_value(uint32_t slot, uint32_t cpu, const uint8_t* value) {
    uint8_t* dst = slot_ptr(slot, cpu);
    std::memmove(dst, value, spec_.value_size);
    std::memset(dst + spec_.value_size, 0, value_stride() - spec_.value_size);
}

void Map::zero_slot(uint32_t slot, uint32_t keep_cpu) {
    const uint32_t cpus = is_percpu() ? spec_.ncpus : 1;
    for (uint32_t c = 0; c < cpus; ++c)
        if (c != keep_cpu) std::memset(slot_ptr(slot, c), 0, value_stride());
}

// ---- Program side ----

uint64_t Map::lookup_elem(std::span<const uint8_t> key, uint32_t cpu) {
    if (key.size() != spec_.key_size || cpu >= spec_.ncpus) return 0;
    return do_lookup_elem(key.data(), cpu);
}

int64_t Map::update_elem(std::span<const uint8_t> key, std::span<const uint8_t> value, uint64_t flags,
                         uint32_t cpu) {
    if (key.size() != spec_.key_size || value.size() != spec_.value_size || cpu >= spec_.ncpus) return -e::kEINVAL;
    return do_update_elem(key.data(), value.data(), flags, cpu);
}

int64_t Map::delete_elem(std::span<const uint8_t> key) {
    if (key.size() != spec_.key_size) return -e::kEINVAL;
    return do_delete_elem(key.data());
}

int64_t Map::push_elem(std::span<const uint8_t> value, uint64_t flags) {
    if (value.size() != spec_.value_size) return -e::kEINVAL;
    return do_push_elem(value.data(), flags);
}

int64_t Map::pop_elem(std::span<uint8_t> value) {
    if (value.size() != spec_.value_size) return -e::kEINVAL;
    return do_pop_elem(value.data());
}

int64_t Map::peek_elem(std::span<uint8_t> value) {
    if (value.size() != spec_.value_size) return -e::kEINVAL;
    return do_peek_elem(value.data());
}

int64_t Map::do_push_elem(const uint8_t*, uint64_t) { return -e::kEOPNOTSUPP; }
int64_t Map::do_pop_elem(uint8_t*) { return -e::kEOPNOTSUPP; }
int64_t Map::do_peek_elem(uint8_t*) { return -e::kEOPNOTSUPP; }
int64_t Map::do_lookup_and_delete_user(const uint8_t*, uint8_t*) { return -e::kENOTSUPP; }

// ---- Userspace side: the checks of kernel/bpf/syscall.c, in its order ----
// Userspace may read unless the map is BPF_F_WRONLY, and write unless it is BPF_F_RDONLY or
// frozen (map_get_sys_perms). BPF_F_LOCK (copy under the value's bpf_spin_lock) is not
// modelled yet: it is -EINVAL, the kernel's answer for a map without a lock, even for a map
// whose MapSpec::spin_lock_off is set.

int64_t Map::lookup_user(std::span<const uint8_t> key, std::span<uint8_t> value, uint64_t flags) {
    if (key.size() != spec_.key_size || value.size() != user_value_size()) return -e::kEINVAL;
    if (flags & ~map_update::kLock) return -e::kEINVAL;
    if (spec_.map_flags & map_flag::kWronly) return -e::kEPERM;
    if (flags & map_update::kLock) return -e::kEINVAL;
    return do_lookup_user(key.data(), value.data());
}

int64_t Map::update_user(std::span<const uint8_t> key, std::span<const uint8_t> value, uint64_t flags) {
    if (key.size() != spec_.key_size || value.size() != user_value_size()) return -e::kEINVAL;
    if ((spec_.map_flags & map_flag::kRdonly) || frozen_) return -e::kEPERM;
    if (flags & map_update::kLock) return -e::kEINVAL;
    return do_update_user(key.data(), value.data(), flags);
}

int64_t Map::delete_user(std::span<const uint8_t> key) {
    if (key.size() != spec_.key_size) return -e::kEINVAL;
    if ((spec_.map_flags & map_flag::kRdonly) || frozen_) return -e::kEPERM;
    return do_delete_user(key.data());
}

int64_t Map::lookup_and_delete_user(std::span<const uint8_t> key, std::span<uint8_t> value, uint64_t flags) {
    if (key.size() != spec_.key_size || value.size() != user_value_size()) return -e::kEINVAL;
    if (flags & ~map_update::kLock) return -e::kEINVAL;
    // The fd must allow both reading and writing.
    if ((spec_.map_flags & (map_flag::kWronly | map_flag::kRdonly)) || frozen_) return -e::kEPERM;
    // Queues and stacks take no flags at all; the others only BPF_F_LOCK, which needs a
    // bpf_spin_lock in the value (bpfplay models none).
    if (flags) return -e::kEINVAL;
    return do_lookup_and_delete_user(key.data(), value.data());
}

int64_t Map::get_next_key(std::span<const uint8_t> key, std::span<uint8_t> next_key) {
    if ((!key.empty() && key.size() != spec_.key_size) || next_key.size() != spec_.key_size) return -e::kEINVAL;
    if (spec_.map_flags & map_flag::kWronly) return -e::kEPERM;
    return do_get_next_key(key.empty() ? nullptr : key.data(), next_key.data());
}

int64_t Map::freeze() {
    // map_freeze: a map userspace cannot write is -EPERM, and so is a frozen one: the kernel's
    // map_get_sys_perms takes write access away from a frozen map before map_freeze reaches
    // its -EBUSY test (Linux 6.18 answers a second BPF_MAP_FREEZE with EPERM).
    if (frozen_ || (spec_.map_flags & map_flag::kRdonly)) return -e::kEPERM;
    frozen_ = true;
    return 0;
}

// ---- Display ----

std::string Map::entry_label(std::span<const uint8_t>, uint32_t) const { return {}; }

std::string Map::occupancy() const {
    return std::to_string(count()) + (count() == 1 ? " entry" : " entries");
}

std::vector<MapEntry> Map::entries(size_t limit) const {
    std::vector<MapEntry> out;
    const uint32_t cpus = is_percpu() ? spec_.ncpus : 1;
    for_each_entry([&](std::span<const uint8_t> key, uint32_t slot) {
        if (out.size() >= limit) return false;
        MapEntry entry;
        entry.key.assign(key.begin(), key.end());
        entry.slot = slot;
        entry.label = entry_label(key, slot);
        for (uint32_t c = 0; c < cpus; ++c) {
            auto v = slot_value(slot, c);
            entry.values.emplace_back(v.begin(), v.end());
        }
        out.push_back(std::move(entry));
        return true;
    });
    return out;
}

}  // namespace bpfplay
