#include "core/maps/sock_map.hpp"

#include <cstring>

#include "core/maps/array_map.hpp"
#include "core/maps/jhash.hpp"
#include "core/maps/map_state.hpp"
#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

namespace {

constexpr uint64_t kS32Max = 0x7fffffff;
constexpr uint8_t kTcpEstablished = 1, kTcpListen = 10;

// sock_map_alloc / sock_hash_alloc's common checks (key_size aside).
MapCheckResult value_and_flags(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries 0; it needs room for at least one socket");
    if (auto bad = SocketSlotArray::value_size_check(c)) return *bad;
    return c.unknown_flags(map_flag::kNumaNode | map_flag::kRdonly | map_flag::kWronly);
}

// What the map's flags allow of an update (sock_map_update_common / sock_hash_update_common).
int64_t flag_check(uint64_t flags, bool present) {
    if (present && flags == map_update::kNoExist) return -e::kEEXIST;
    if (!present && flags == map_update::kExist) return -e::kENOENT;
    return 0;
}

void store_cookie(uint8_t* slot, uint64_t cookie) { store_le<uint64_t>(slot, cookie); }

std::string socket_label(uint64_t cookie) { return "socket with cookie " + std::to_string(cookie); }

uint32_t roundup_pow_of_two(uint32_t n) {
    uint32_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

}  // namespace

namespace sock_map_detail {

int64_t user_socket(const Map& map, const uint8_t* value, uint64_t& cookie) {
    cookie = map.value_size() == 8 ? load_le<uint64_t>(value) : load_le<uint32_t>(value);
    if (cookie > kS32Max) return -e::kEINVAL;
    const std::optional<SocketInfo> s = map.owner() ? map.owner()->socket_info(cookie) : SocketInfo{};
    if (!s) return -e::kEBADF;
    if (!state_allowed(*s)) return -e::kEOPNOTSUPP;
    return 0;
}

bool state_allowed(const SocketInfo& s) {
    return !s.tcp || s.state == kTcpEstablished || s.state == kTcpListen;
}

uint64_t socket_address_of(const Map& map, uint64_t cookie) {
    if (!map.owner()) return 0;
    const std::optional<SocketInfo> s = map.owner()->socket_info(cookie);
    return s ? s->address : 0;
}

}  // namespace sock_map_detail

// ---- what SOCKMAP and REUSEPORT_SOCKARRAY share ----

std::optional<MapCheckResult> SocketSlotArray::value_size_check(const MapCheck& c) {
    const uint32_t size = c.spec().value_size;
    if (size == 4 || size == 8) return std::nullopt;
    return c.fail(-e::kEINVAL,
                  c.kind() + " has value_size " + std::to_string(size) +
                      "; a socket map's value is a socket (a __u32 or __u64: 4 or 8 bytes)",
                  "Declare the value as __u64 (user space then reads each socket's cookie) or __u32.");
}

std::optional<uint64_t> SocketSlotArray::socket_at(uint32_t index) const {
    if (!is_set(index)) return std::nullopt;
    return load_le<uint64_t>(slot_ptr(index));
}

void SocketSlotArray::set_socket(uint32_t index, uint64_t cookie) {
    mark_set(index);
    store_cookie(slot_ptr(index), cookie);
}

void SocketSlotArray::clear_socket(uint32_t index) { store_cookie(slot_ptr(index), 0); }

// sock_map_lookup: the socket, whose reference the program now holds; NULL for an empty slot.
uint64_t SocketSlotArray::do_lookup_elem(const uint8_t* key, uint32_t) {
    const std::optional<uint64_t> cookie = socket_at(load_le<uint32_t>(key));
    return cookie ? sock_map_detail::socket_address_of(*this, *cookie) : 0;
}

// sock_map_lookup_sys: the socket's cookie, only into an 8-byte value.
int64_t SocketSlotArray::do_lookup_user(const uint8_t* key, uint8_t* value) {
    if (value_size() != 8) return -e::kENOSPC;
    const std::optional<uint64_t> cookie = socket_at(load_le<uint32_t>(key));
    if (!cookie) return -e::kENOENT;
    store_le<uint64_t>(value, *cookie);
    return 0;
}

std::string SocketSlotArray::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    const std::optional<uint64_t> cookie = socket_at(slot);
    return cookie ? socket_label(*cookie) : std::string();
}

// ---- SOCKMAP ----

MapCheckResult SockMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.key_size != 4 && s.max_entries != 0)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) + "; a sockmap's keys are u32 indexes (4)",
                      "Declare the key as __u32.");
    return value_and_flags(c);
}

std::unique_ptr<SockMap> SockMap::make(const MapSpec& spec) {
    std::unique_ptr<SockMap> map(new SockMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

int64_t SockMap::update_socket(uint32_t index, uint64_t cookie, uint64_t flags) {
    if (flags > map_update::kExist) return -e::kEINVAL;
    if (index >= max_entries()) return -e::kE2BIG;
    if (int64_t err = flag_check(flags, is_set(index))) return err;
    set_socket(index, cookie);
    return 0;
}

// sock_map_delete_elem: past max_entries or an empty slot is -EINVAL.
int64_t SockMap::do_delete_elem(const uint8_t* key) {
    const uint32_t index = load_le<uint32_t>(key);
    if (index >= max_entries() || !clear(index)) return -e::kEINVAL;
    clear_socket(index);
    return 0;
}

int64_t SockMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    uint64_t cookie = 0;
    if (int64_t err = sock_map_detail::user_socket(*this, value, cookie)) return err;
    return update_socket(load_le<uint32_t>(key), cookie, flags);
}

// ---- SOCKHASH ----

uint64_t SockHash::footprint(const MapSpec& spec) {
    const uint64_t slots = spec.max_entries;
    return uint64_t(roundup_pow_of_two(spec.max_entries)) * 4 + slots * (8 + 4 + 1 + spec.key_size);
}

MapCheckResult SockHash::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.key_size == 0 && s.max_entries != 0)
        return c.fail(-e::kEINVAL, c.kind() + " has key_size 0; a sockhash needs a key to find sockets by");
    if (auto err = value_and_flags(c)) return err;
    if (s.key_size > kMaxKeySize)
        return c.fail(-e::kE2BIG,
                      c.kind() + " has key_size " + std::to_string(s.key_size) +
                          "; a sockhash key is at most 512 bytes (MAX_BPF_STACK)");
    if (s.max_entries > (1u << 31))
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries " + std::to_string(s.max_entries) +
                                       "; its buckets (a power of two at least that large) would not fit");
    return std::nullopt;
}

SockHash::SockHash(const MapSpec& spec)
    : Map(spec, spec.max_entries, 8, /*program_visible=*/false), heads_(roundup_pow_of_two(spec.max_entries), kNone),
      next_(spec.max_entries, kNone), used_(spec.max_entries, 0), keys_(uint64_t(spec.max_entries) * spec.key_size, 0) {}

std::unique_ptr<SockHash> SockHash::make(const MapSpec& spec) {
    std::unique_ptr<SockHash> map(new SockHash(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

// sock_hash_bucket_hash + sock_hash_select_bucket: jhash with seed 0.
uint32_t SockHash::bucket_of(const uint8_t* key) const {
    return jhash(key, key_size(), 0) & uint32_t(heads_.size() - 1);
}

uint32_t SockHash::find(const uint8_t* key) const {
    for (uint32_t s = heads_[bucket_of(key)]; s != kNone; s = next_[s])
        if (std::memcmp(key_ptr(s), key, key_size()) == 0) return s;
    return kNone;
}

void SockHash::unlink(uint32_t slot) {
    uint32_t* link = &heads_[bucket_of(key_ptr(slot))];
    while (*link != slot) link = &next_[*link];
    *link = next_[slot];
    next_[slot] = kNone;
    used_[slot] = 0;
    --count_;
    store_cookie(slot_ptr(slot), 0);
}

std::optional<uint64_t> SockHash::socket_of(const uint8_t* key) const {
    const uint32_t slot = find(key);
    if (slot == kNone) return std::nullopt;
    return load_le<uint64_t>(slot_ptr(slot));
}

// sock_hash_update_common: the new element goes at the head of its bucket and the old one (if
// any) leaves, so a replaced key moves to the front; a full map takes replacements only.
int64_t SockHash::update_socket(const uint8_t* key, uint64_t cookie, uint64_t flags) {
    if (flags > map_update::kExist) return -e::kEINVAL;
    const uint32_t old = find(key);
    if (int64_t err = flag_check(flags, old != kNone)) return err;
    if (old == kNone && count_ >= max_entries()) return -e::kE2BIG;
    if (old != kNone) unlink(old);
    uint32_t slot = 0;
    while (used_[slot]) ++slot;  // count_ < max_entries: a free slot exists
    std::memcpy(keys_.data() + uint64_t(slot) * key_size(), key, key_size());
    used_[slot] = 1;
    ++count_;
    store_cookie(slot_ptr(slot), cookie);
    uint32_t& head = heads_[bucket_of(key)];
    next_[slot] = head;
    head = slot;
    return 0;
}

uint64_t SockHash::do_lookup_elem(const uint8_t* key, uint32_t) {
    const std::optional<uint64_t> cookie = socket_of(key);
    return cookie ? sock_map_detail::socket_address_of(*this, *cookie) : 0;
}

int64_t SockHash::do_delete_elem(const uint8_t* key) {
    const uint32_t slot = find(key);
    if (slot == kNone) return -e::kENOENT;
    unlink(slot);
    return 0;
}

int64_t SockHash::do_lookup_user(const uint8_t* key, uint8_t* value) {
    if (value_size() != 8) return -e::kENOSPC;
    const std::optional<uint64_t> cookie = socket_of(key);
    if (!cookie) return -e::kENOENT;
    store_le<uint64_t>(value, *cookie);
    return 0;
}

int64_t SockHash::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    uint64_t cookie = 0;
    if (int64_t err = sock_map_detail::user_socket(*this, value, cookie)) return err;
    return update_socket(key, cookie, flags);
}

// sock_hash_get_next_key: the next element of the key's bucket, else the first of the buckets
// after it; a missing (or NULL) key starts from bucket 0.
int64_t SockHash::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    uint32_t bucket = 0;
    if (key_or_null) {
        const uint32_t slot = find(key_or_null);
        if (slot != kNone) {
            if (next_[slot] != kNone) {
                std::memcpy(next_key, key_ptr(next_[slot]), key_size());
                return 0;
            }
            bucket = bucket_of(key_or_null) + 1;
        }
    }
    for (; bucket < heads_.size(); ++bucket) {
        if (heads_[bucket] == kNone) continue;
        std::memcpy(next_key, key_ptr(heads_[bucket]), key_size());
        return 0;
    }
    return -e::kENOENT;
}

void SockHash::for_each_entry(const EntryVisitor& visit) const {
    for (uint32_t head : heads_)
        for (uint32_t s = head; s != kNone; s = next_[s])
            if (!visit(std::span<const uint8_t>(key_ptr(s), key_size()), s)) return;
}

std::optional<std::vector<uint8_t>> SockHash::key_of_slot(uint32_t slot) const {
    if (slot >= used_.size() || !used_[slot]) return std::nullopt;
    return std::vector<uint8_t>(key_ptr(slot), key_ptr(slot) + key_size());
}

std::string SockHash::entry_label(std::span<const uint8_t>, uint32_t slot) const {
    if (slot >= used_.size() || !used_[slot]) return {};
    return socket_label(load_le<uint64_t>(slot_ptr(slot)));
}

void SockHash::save_extra(StateWriter& w) const {
    w.vec(heads_);
    w.vec(next_);
    w.vec(used_);
    w.vec(keys_);
    w.pod(count_);
}

void SockHash::restore_extra(StateReader& r) {
    r.vec(heads_);
    r.vec(next_);
    r.vec(used_);
    r.vec(keys_);
    r.pod(count_);
}

}  // namespace bpfplay
