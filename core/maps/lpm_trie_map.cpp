#include "core/maps/lpm_trie_map.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <new>

#include "core/hex.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;
namespace u = map_update;

namespace {

constexpr uint32_t kNodeHeaderSize = 24; // sizeof(struct lpm_trie_node) on x86-64
// LPM_VAL_SIZE_MAX: a node (header, data, value) must fit one kmalloc.
constexpr uint64_t kValueSizeMax = kKmallocMaxSize - LpmTrieMap::kDataSizeMax - kNodeHeaderSize;

// A trie of n entries has at most n - 1 intermediate nodes (each has two children).
uint64_t nodes_for(const MapSpec& spec) {
    return 2 * uint64_t(spec.max_entries);
}

// extract_bit: bit `index` of big-endian data (bit 0 is the most significant bit of byte 0).
uint32_t extract_bit(const uint8_t* data, uint32_t index) {
    return (data[index / 8] >> (7 - index % 8)) & 1;
}

std::string ipv6_text(const uint8_t* a) {
    uint16_t g[8];
    for (int i = 0; i < 8; ++i)
        g[i] = uint16_t(a[2 * i] << 8 | a[2 * i + 1]);
    // RFC 5952: the longest run of two or more zero groups (the first of equal ones) becomes "::".
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            ++j;
        if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
        i = j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(buf, sizeof buf, "%x", g[i]);
        out += buf;
    }
    return out;
}

} // namespace

uint64_t LpmTrieMap::footprint(const MapSpec& spec) {
    const uint64_t slots = uint64_t(spec.max_entries) + 1;
    const uint64_t data_size = spec.key_size > 4 ? spec.key_size - 4 : 0;
    return slots * stride_of(spec)                       // values
           + nodes_for(spec) * node_words(data_size) * 4 // nodes, their data inline
           + slots * 8;                                  // slot owners, free-slot ring
}

// trie_alloc: every problem is -EINVAL.
MapCheckResult LpmTrieMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has max_entries 0; a trie must hold at least one prefix",
                      "Set max_entries (__uint(max_entries, N)).");
    if (!(s.map_flags & f::kNoPrealloc))
        return c.fail(-e::kEINVAL,
                      c.kind() +
                          " lacks BPF_F_NO_PREALLOC: the kernel allocates trie nodes as prefixes are added "
                          "and insists on that flag",
                      "Add __uint(map_flags, BPF_F_NO_PREALLOC).");
    if (auto err = c.unknown_flags(f::kNoPrealloc | f::kNumaNode | f::kAccessMask)) return err;
    if (auto err = c.access_flags()) return err;
    if (s.key_size < 4 + 1 || s.key_size > 4 + kDataSizeMax)
        return c.fail(
            -e::kEINVAL,
            c.kind() + " has key_size " + std::to_string(s.key_size) +
                "; an LPM key is a u32 prefixlen and 1 to 256 bytes of data (key_size 5 to 260)",
            "Declare the key as struct { __u32 prefixlen; __u8 data[N]; } (e.g. __u32 addr for IPv4).");
    if (s.value_size == 0 || s.value_size > kValueSizeMax)
        return c.fail(-e::kEINVAL, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                       "; trie values are 1 to " + std::to_string(kValueSizeMax) + " bytes");
    return std::nullopt;
}

LpmTrieMap::LpmTrieMap(const MapSpec& spec)
    : Map(spec, spec.max_entries + 1, stride_of(spec), /*program_visible=*/true) {}

std::unique_ptr<LpmTrieMap> LpmTrieMap::make(const MapSpec& spec) {
    std::unique_ptr<LpmTrieMap> m(new (std::nothrow) LpmTrieMap(spec));
    if (!m || !m->init()) return nullptr;
    return m;
}

bool LpmTrieMap::init() {
    if (!allocate_storage()) return false;
    stride_ = node_words(data_size());
    const uint32_t n = node_capacity();
    words_.assign(uint64_t(n) * stride_, 0);
    for (uint32_t i = 0; i < n; ++i)
        set_node(i, i + 1 < n ? i + 1 : kNone, kNone, kNone, 0);
    free_nodes_ = 0;
    slot_owner_.assign(slot_count(), kNone);
    free_slots_.resize(slot_count());
    for (uint32_t s = 0; s < slot_count(); ++s)
        free_slots_[s] = s;
    free_head_ = 0;
    free_count_ = slot_count();
    return true;
}

uint32_t LpmTrieMap::key_prefixlen(const uint8_t* key) {
    uint32_t p;
    std::memcpy(&p, key, 4);
    return p;
}

uint32_t LpmTrieMap::match_len(uint32_t node, uint32_t key_prefixlen, const uint8_t* key_data) const {
    const uint32_t limit = std::min(plen_of(node), key_prefixlen);
    const uint8_t* a = data_of(node);
    const uint32_t size = data_size();
    uint32_t bits = 0, i = 0;
    // Eight bytes at a time, most significant first (the kernel compares 8, 4, 2, 1 bytes).
    for (; i + 8 <= size && bits < limit; i += 8) {
        uint64_t x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, key_data + i, 8);
        if (const uint64_t diff = x ^ y) {
            // The first differing byte in memory order is the lowest set byte of a little-endian load.
            const uint32_t byte = uint32_t(std::countr_zero(diff)) / 8;
            bits += 8 * byte + uint32_t(std::countl_zero(uint8_t(a[i + byte] ^ key_data[i + byte])));
            return std::min(bits, limit);
        }
        bits += 64;
    }
    for (; i < size && bits < limit; ++i) {
        if (const uint8_t diff = a[i] ^ key_data[i]) {
            bits += uint32_t(std::countl_zero(diff));
            break;
        }
        bits += 8;
    }
    return std::min(bits, limit);
}

uint32_t LpmTrieMap::alloc_node() {
    const uint32_t n = free_nodes_;
    free_nodes_ = child(n, 0);
    set_node(n, kNone, kNone, kNone, 0);
    return n;
}

void LpmTrieMap::free_node(uint32_t node) {
    if (slot_of(node) != kNone) release_value_slot(slot_of(node));
    std::memset(data_of(node), 0, data_size());
    set_node(node, free_nodes_, kNone, kNone, 0);
    free_nodes_ = node;
}

uint32_t LpmTrieMap::take_value_slot() {
    const uint32_t s = free_slots_[free_head_];
    free_head_ = free_head_ + 1 == slot_count() ? 0 : free_head_ + 1;
    --free_count_;
    return s;
}

void LpmTrieMap::release_value_slot(uint32_t slot) {
    slot_owner_[slot] = kNone;
    free_slots_[(uint64_t(free_head_) + free_count_) % slot_count()] = slot;
    ++free_count_;
}

void LpmTrieMap::set_value(uint32_t node, const uint8_t* value) {
    const uint32_t fresh = take_value_slot();
    store_value(fresh, 0, value); // before freeing the old slot: `value` may point into it
    slot_owner_[fresh] = node;
    const uint32_t old = slot_of(node);
    slot_of(node) = fresh;
    if (old != kNone) release_value_slot(old);
}

void LpmTrieMap::write_key(uint32_t node, uint8_t* key) const {
    const uint32_t plen = plen_of(node);
    std::memcpy(key, &plen, 4);
    std::memcpy(key + 4, data_of(node), data_size());
}

// trie_lookup_elem.
uint32_t LpmTrieMap::find(const uint8_t* key) const {
    const uint32_t plen = key_prefixlen(key);
    const uint8_t* kdata = key + 4;
    if (plen > max_prefixlen()) return kNone;
    uint32_t found = kNone;
    for (uint32_t node = root_; node != kNone;) {
        const uint32_t matchlen = match_len(node, plen, kdata);
        if (matchlen == max_prefixlen()) return node; // an exact, full-length match
        // The node's prefix does not cover the key: the last candidate is the answer.
        if (matchlen < plen_of(node)) break;
        if (!is_intermediate(node)) found = node;
        node = child(node, extract_bit(kdata, plen_of(node)));
    }
    return found;
}

uint64_t LpmTrieMap::do_lookup_elem(const uint8_t* key, uint32_t) {
    const uint32_t node = find(key);
    return node == kNone ? 0 : value_address(slot_of(node));
}

int64_t LpmTrieMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    const uint32_t node = find(key);
    if (node == kNone) return -e::kENOENT;
    std::memcpy(value, slot_ptr(slot_of(node)), value_size());
    return 0;
}

// trie_update_elem (Linux 6.13+: BPF_NOEXIST and BPF_EXIST are honoured).
int64_t LpmTrieMap::do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t) {
    if (flags > u::kExist) return -e::kEINVAL;
    const uint32_t plen = key_prefixlen(key);
    const uint8_t* kdata = key + 4;
    if (plen > max_prefixlen()) return -e::kEINVAL;

    // Walk down while the node's whole prefix matches and is shorter than the key's.
    uint32_t* slot = &root_;
    uint32_t node = kNone, matchlen = 0;
    while ((node = *slot) != kNone) {
        matchlen = match_len(node, plen, kdata);
        if (plen_of(node) != matchlen || plen_of(node) == plen) break;
        slot = &child(node, extract_bit(kdata, plen_of(node)));
    }
    // trie_check_add_elem: a new entry needs room, and BPF_EXIST forbids one.
    auto check_add = [&]() -> int64_t {
        if (flags == u::kExist) return -e::kENOENT;
        if (n_entries_ == max_entries()) return -e::kENOSPC;
        ++n_entries_;
        return 0;
    };
    auto new_leaf = [&]() {
        const uint32_t n = alloc_node();
        plen_of(n) = plen;
        std::memcpy(data_of(n), kdata, data_size());
        set_value(n, value);
        return n;
    };

    if (node == kNone) { // an empty slot: the new node goes there
        if (int64_t err = check_add()) return err;
        *slot = new_leaf();
        return 0;
    }
    if (plen_of(node) == matchlen) {
        // The exact prefix: replace a real node (the entry count stays), or turn an
        // intermediate one into a real one (a new entry). The key's data replaces the node's.
        if (!is_intermediate(node)) {
            if (flags == u::kNoExist) return -e::kEEXIST;
        } else if (int64_t err = check_add()) {
            return err;
        }
        std::memcpy(data_of(node), kdata, data_size());
        set_value(node, value);
        return 0;
    }
    if (int64_t err = check_add()) return err;
    const uint32_t fresh = new_leaf();
    if (matchlen == plen) {
        // The new prefix contains the node's: it goes above it.
        child(fresh, extract_bit(data_of(node), matchlen)) = node;
        *slot = fresh;
        return 0;
    }
    // They part ways after matchlen bits: an intermediate node holds both.
    const uint32_t im = alloc_node();
    plen_of(im) = matchlen;
    std::memcpy(data_of(im), data_of(node), data_size());
    const uint32_t bit = extract_bit(kdata, matchlen);
    child(im, bit) = fresh;
    child(im, bit ^ 1) = node;
    *slot = im;
    return 0;
}

int64_t LpmTrieMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    return do_update_elem(key, value, flags, 0);
}

// trie_delete_elem: only an exact (prefixlen, prefix) entry.
int64_t LpmTrieMap::do_delete_elem(const uint8_t* key) {
    const uint32_t plen = key_prefixlen(key);
    const uint8_t* kdata = key + 4;
    if (plen > max_prefixlen()) return -e::kEINVAL;
    uint32_t* trim = &root_; // the link to the node
    uint32_t* trim2 = trim;  // the link to its parent
    uint32_t parent = kNone, node = kNone, matchlen = 0;
    while ((node = *trim) != kNone) {
        matchlen = match_len(node, plen, kdata);
        if (plen_of(node) != matchlen || plen_of(node) == plen) break;
        parent = node;
        trim2 = trim;
        trim = &child(node, extract_bit(kdata, plen_of(node)));
    }
    if (node == kNone || plen_of(node) != plen || plen_of(node) != matchlen || is_intermediate(node))
        return -e::kENOENT;
    --n_entries_;
    if (child(node, 0) != kNone && child(node, 1) != kNone) {
        // Two children: the node stays, as an intermediate one.
        release_value_slot(slot_of(node));
        slot_of(node) = kNone;
        return 0;
    }
    if (parent != kNone && is_intermediate(parent) && child(node, 0) == kNone && child(node, 1) == kNone) {
        // A leaf under an intermediate node: both go, the sibling moves up.
        *trim2 = child(parent, 0) == node ? child(parent, 1) : child(parent, 0);
        free_node(parent);
        free_node(node);
        return 0;
    }
    *trim =
        child(node, 0) != kNone ? child(node, 0) : child(node, 1); // its one child (or none) takes its place
    free_node(node);
    return 0;
}

// trie_get_next_key: post-order. A key that is not an entry (or has a prefixlen too long)
// restarts from the first entry; the last entry gives -ENOENT.
int64_t LpmTrieMap::do_get_next_key(const uint8_t* key, uint8_t* next_key) {
    if (root_ == kNone) return -e::kENOENT;
    // The first entry of a subtree in post-order: keep left (right when there is no left),
    // remembering the last real node passed; intermediate nodes always have both children.
    auto leftmost = [&](uint32_t node) {
        uint32_t last = kNone;
        while (node != kNone) {
            if (is_intermediate(node)) {
                node = child(node, 0);
            } else {
                last = node;
                node = child(node, 0) != kNone ? child(node, 0) : child(node, 1);
            }
        }
        return last;
    };
    uint32_t next = kNone;
    const uint32_t plen = key ? key_prefixlen(key) : 0;
    if (!key || plen > max_prefixlen()) {
        next = leftmost(root_);
    } else {
        const uint8_t* kdata = key + 4;
        std::vector<uint32_t> path;
        path.reserve(max_prefixlen() + 1);
        uint32_t node = root_, matchlen = 0;
        while (node != kNone) {
            path.push_back(node);
            matchlen = match_len(node, plen, kdata);
            if (plen_of(node) != matchlen || plen_of(node) == plen) break;
            node = child(node, extract_bit(kdata, plen_of(node)));
        }
        if (node == kNone || plen_of(node) != matchlen || is_intermediate(node)) {
            next = leftmost(root_);
        } else {
            // The entry itself: its successor is the first of its right sibling's subtree, or
            // else the closest real ancestor.
            for (size_t i = path.size() - 1; i > 0 && next == kNone; --i) {
                const uint32_t parent = path[i - 1];
                if (child(parent, 0) == path[i] && child(parent, 1) != kNone)
                    next = leftmost(child(parent, 1));
                else if (!is_intermediate(parent))
                    next = parent;
            }
            if (next == kNone) return -e::kENOENT;
        }
    }
    write_key(next, next_key);
    return 0;
}

void LpmTrieMap::for_each_entry(const EntryVisitor& visit) const {
    if (root_ == kNone) return;
    std::vector<uint8_t> key(key_size());
    // Post-order with an explicit stack: (node, children visited so far).
    std::vector<std::pair<uint32_t, uint8_t>> stack;
    stack.reserve(max_prefixlen() + 2);
    stack.emplace_back(root_, 0);
    while (!stack.empty()) {
        const uint32_t node = stack.back().first;
        const uint8_t done = stack.back().second;
        if (done < 2) {
            ++stack.back().second;
            const uint32_t next = child(node, done);
            if (next != kNone) stack.emplace_back(next, 0);
            continue;
        }
        stack.pop_back();
        if (is_intermediate(node)) continue;
        write_key(node, key.data());
        if (!visit(key, slot_of(node))) return;
    }
}

uint32_t LpmTrieMap::node_count() const {
    uint32_t free = 0;
    for (uint32_t n = free_nodes_; n != kNone; n = child(n, 0))
        ++free;
    return node_capacity() - free;
}

std::optional<std::vector<uint8_t>> LpmTrieMap::key_of_slot(uint32_t slot) const {
    if (slot >= slot_owner_.size() || slot_owner_[slot] == kNone) return std::nullopt;
    std::vector<uint8_t> key(key_size());
    write_key(slot_owner_[slot], key.data());
    return key;
}

std::string LpmTrieMap::prefix_text(std::span<const uint8_t> key) const {
    if (key.size() != key_size()) return {};
    const uint32_t plen = key_prefixlen(key.data());
    const uint8_t* d = key.data() + 4;
    std::string addr;
    if (data_size() == 4) {
        addr = std::to_string(d[0]) + "." + std::to_string(d[1]) + "." + std::to_string(d[2]) + "." +
               std::to_string(d[3]);
    } else if (data_size() == 16) {
        addr = ipv6_text(d);
    } else {
        addr = "0x" + hex_bytes(std::span<const uint8_t>(d, data_size()));
    }
    return addr + "/" + std::to_string(plen);
}

std::string LpmTrieMap::entry_label(std::span<const uint8_t> key, uint32_t) const {
    return prefix_text(key);
}

} // namespace bpfplay
