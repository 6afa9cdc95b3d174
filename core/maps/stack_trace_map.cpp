#include "core/hex.hpp"
#include "core/maps/stack_trace_map.hpp"

#include <bit>
#include <cstring>

#include "core/maps/jhash.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

namespace {

uint32_t bucket_count(const MapSpec& spec) { return uint32_t(std::bit_ceil(uint64_t(spec.max_entries))); }

// Values of all buckets, in host bytes.
uint64_t value_bytes(const MapSpec& spec) { return uint64_t(bucket_count(spec)) * spec.value_size; }

// A large map (bcc's klockstat: 102400 stacks of 127 frames, 133 MB of buckets) reads as zeros
// until a stack is stored: a bucket's chunk gets its bytes then, within kMaxMapBytes, as a large
// array's do. Stacks land on hashed ids, so a few stored stacks touch a few chunks.
bool stores_lazily(const MapSpec& spec) {
    return value_bytes(spec) > kEagerMapBytes && value_bytes(spec) <= UINT32_MAX;
}

} // namespace

uint64_t StackTraceMap::footprint(const MapSpec& spec) {
    const uint64_t bookkeeping = uint64_t(bucket_count(spec)) * 8;  // hash_ and nr_
    return bookkeeping + (stores_lazily(spec) ? kMapChunkBytes + spec.value_size : value_bytes(spec));
}

MapCheckResult StackTraceMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (auto err = c.unknown_flags(f::kNumaNode | f::kRdonly | f::kWronly | f::kStackBuildId)) return err;
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries 0; it must hold at least one stack");
    if (s.key_size != 4)
        return c.fail(-e::kEINVAL, c.kind() + " has key_size " + std::to_string(s.key_size) +
                                       "; its keys are u32 stack ids, key_size must be 4",
                      "Declare the key as __u32.");
    if (s.value_size < 8 || s.value_size % 8)
        return c.fail(-e::kEINVAL, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                       "; a stack is u64 addresses, value_size must be a non-zero multiple of 8",
                      "Declare the value as __u64[PERF_MAX_STACK_DEPTH] (127 frames).");
    if (s.map_flags & f::kStackBuildId) {
        if (s.value_size % kStackBuildIdSize || s.value_size / kStackBuildIdSize > kPerfEventMaxStack)
            return c.fail(-e::kEINVAL, c.kind() + " has BPF_F_STACK_BUILD_ID and value_size " +
                                           std::to_string(s.value_size) +
                                           "; its frames are 32-byte struct bpf_stack_build_id, at most 127 of them");
    } else if (s.value_size / 8 > kPerfEventMaxStack) {
        return c.fail(-e::kEINVAL, c.kind() + " has value_size " + std::to_string(s.value_size) + " (" +
                                       std::to_string(s.value_size / 8) +
                                       " frames); the kernel keeps at most 127 (kernel.perf_event_max_stack)");
    }
    if (s.max_entries > (1u << 31))
        return c.fail(-e::kE2BIG, c.kind() + " has max_entries " + std::to_string(s.max_entries) +
                                      "; a stack map has at most 2^31 buckets");
    return std::nullopt;
}

StackTraceMap::StackTraceMap(const MapSpec& spec)
    : Map(spec, bucket_count(spec), spec.value_size, /*program_visible=*/false) {}

std::unique_ptr<StackTraceMap> StackTraceMap::make(const MapSpec& spec) {
    std::unique_ptr<StackTraceMap> map(new StackTraceMap(spec));
    if (stores_lazily(spec)) map->allocate_storage_zero_lazily();
    else if (!map->allocate_storage()) return nullptr;
    map->hash_.assign(map->buckets(), 0);
    map->nr_.assign(map->buckets(), 0);
    return map;
}

std::vector<uint8_t> StackTraceMap::encode(std::span<const uint64_t> ips) const {
    std::vector<uint8_t> out(value_size(), 0);
    for (size_t i = 0; i < ips.size(); ++i) {
        if (build_id()) {
            uint8_t* entry = out.data() + i * kStackBuildIdSize;
            store_le<int32_t>(entry, kStackBuildIdIp);  // status; build_id stays zero
            store_le<uint64_t>(entry + 24, ips[i]);
        } else {
            store_le<uint64_t>(out.data() + i * 8, ips[i]);
        }
    }
    return out;
}

int64_t StackTraceMap::store(std::span<const uint64_t> ips, uint64_t flags) {
    constexpr uint64_t kFastStackCmp = 1u << 9, kReuseStackId = 1u << 10;
    std::vector<uint32_t> words(ips.size() * 2);
    std::memcpy(words.data(), ips.data(), ips.size() * 8);
    const uint32_t hash = jhash2(reinterpret_cast<const uint8_t*>(words.data()), uint32_t(words.size()), 0);
    const uint32_t id = hash & (buckets() - 1);
    const bool occupied = nr_[id] != 0;
    const bool hash_matches = occupied && hash_[id] == hash;
    if (hash_matches && (flags & kFastStackCmp)) return id;
    const std::vector<uint8_t> data = encode(ips);
    const uint32_t len = uint32_t(ips.size()) * frame_bytes();
    if (hash_matches && nr_[id] == ips.size() && std::memcmp(slot_ptr(id), data.data(), len) == 0) return id;
    if (occupied && !(flags & kReuseStackId)) return -e::kEEXIST;
    // A new element comes off the free list before the old one goes back: with max_entries
    // stacks stored, even a replace finds none.
    if (count_ >= max_entries()) return -e::kENOMEM;
    if (!make_writable(id)) return -e::kENOMEM;  // a large map past its host memory budget
    std::memcpy(slot_ptr(id), data.data(), value_size());
    hash_[id] = hash;
    nr_[id] = uint32_t(ips.size());
    if (!occupied) ++count_;
    return id;
}

std::vector<uint64_t> StackTraceMap::frames(uint32_t id) const {
    std::vector<uint64_t> out;
    if (id >= buckets()) return out;
    for (uint32_t i = 0; i < nr_[id]; ++i)
        out.push_back(load_le<uint64_t>(slot_ptr(id) + uint64_t(i) * frame_bytes() + (build_id() ? 24 : 0)));
    return out;
}

int64_t StackTraceMap::do_delete_elem(const uint8_t* key) {
    const uint32_t id = load_le<uint32_t>(key);
    if (id >= buckets()) return -e::kE2BIG;
    if (nr_[id] == 0) return -e::kENOENT;
    nr_[id] = 0;
    hash_[id] = 0;
    --count_;
    return 0;
}

// bpf_stackmap_copy: the stack, then zeros to value_size.
int64_t StackTraceMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const uint32_t id = load_le<uint32_t>(key);
    if (id >= buckets() || nr_[id] == 0) return -e::kENOENT;
    const uint32_t len = nr_[id] * frame_bytes();
    std::memcpy(value, slot_ptr(id), len);
    std::memset(value + len, 0, value_size() - len);
    return 0;
}

// stack_map_get_next_key: ids in order; a key that is past the buckets or empty restarts.
int64_t StackTraceMap::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    uint32_t id = 0;
    if (key_or_null) {
        id = load_le<uint32_t>(key_or_null);
        id = (id >= buckets() || nr_[id] == 0) ? 0 : id + 1;
    }
    while (id < buckets() && nr_[id] == 0) ++id;
    if (id >= buckets()) return -e::kENOENT;
    store_le<uint32_t>(next_key, id);
    return 0;
}

void StackTraceMap::for_each_entry(const EntryVisitor& visit) const {
    for (uint32_t id = 0; id < buckets(); ++id) {
        if (nr_[id] == 0) continue;
        uint8_t key[4];
        store_le<uint32_t>(key, id);
        if (!visit(std::span<const uint8_t>(key, 4), id)) return;
    }
}

std::optional<std::vector<uint8_t>> StackTraceMap::key_of_slot(uint32_t slot) const {
    if (slot >= buckets() || nr_[slot] == 0) return std::nullopt;
    std::vector<uint8_t> key(4);
    store_le<uint32_t>(key.data(), slot);
    return key;
}

std::string StackTraceMap::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::vector<uint64_t> ips = frames(slot);
    std::string out = "id " + std::to_string(slot) + ": " + std::to_string(ips.size()) +
                      (ips.size() == 1 ? " frame: " : " frames: ");
    for (size_t i = 0; i < ips.size(); ++i) {
        if (i) out += " <- ";
        auto it = symbols_.find(ips[i]);
        out += it != symbols_.end() && !it->second.empty() ? it->second : hex(ips[i]);
    }
    return out;
}

} // namespace bpfplay
