#pragma once
// BPF_MAP_TYPE_LPM_TRIE, kernel/bpf/lpm_trie.c: longest-prefix match, as a routing table.
//
// A key is struct bpf_lpm_trie_key: a u32 prefixlen (host order) and key_size - 4 bytes of
// data, most significant byte first (an IPv4 address as it is in the packet). A lookup returns
// the value of the longest stored prefix that covers the key's first prefixlen bits; update
// and delete work on exact (prefixlen, data) entries. Stored data keeps the bits past its
// prefix as given (10.1.2.3/8 stays 10.1.2.3), and get_next_key hands them back, as the kernel.
//
// The trie is the kernel's: a binary tree where a node's children extend its prefix by one more
// distinguishing bit, plus "intermediate" nodes (no value) where two prefixes part ways.
// Intermediate nodes do not count against max_entries; when n_entries reaches max_entries,
// adding a prefix is -ENOSPC while replacing an existing one still works (6.13+ semantics:
// BPF_NOEXIST / BPF_EXIST are honoured, -EEXIST / -ENOENT). get_next_key walks in post-order,
// more specific prefixes before the ones that contain them.
//
// Storage: values live in the map's value region (lookup returns a real pointer): max_entries
// + 1 slots, handed out first-freed-first-reused, so a replaced value keeps its old bytes for
// a while, like the kernel's RCU-freed node (with a full trie the one spare slot is reused by
// the next replacement). Nodes (at most 2 * max_entries - 1: each intermediate node has two
// children) are preallocated, each a block with its data inline; the kernel allocates them as needed, so only
// memory use differs (bounded by kMaxMapBytes: a trie with a huge max_entries is refused with -ENOMEM here).
#include <memory>
#include <string>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

class LpmTrieMap final : public Map {
  public:
    static constexpr uint32_t kDataSizeMax = 256; // LPM_DATA_SIZE_MAX
    static constexpr uint32_t kNone = UINT32_MAX;

    static uint64_t footprint(const MapSpec& spec);
    // trie_alloc's checks.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<LpmTrieMap> make(const MapSpec& spec);

    uint32_t data_size() const { return key_size() - 4; }
    uint32_t max_prefixlen() const { return data_size() * 8; }
    // Nodes in the trie, intermediate ones included (for tests and display).
    uint32_t node_count() const;
    uint32_t intermediate_count() const { return node_count() - n_entries_; }

    uint32_t count() const override { return n_entries_; }
    // Entries in get_next_key's order (post-order, intermediate nodes skipped).
    void for_each_entry(const EntryVisitor& visit) const override;
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t slot) const override;
    // "10.0.0.0/8" (4 bytes of data), "2001:db8::/32" (16), else the data in hex, "/len".
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;
    // The same for any key bytes of this map (key_size of them).
    std::string prefix_text(std::span<const uint8_t> key) const;

  protected:
    uint64_t do_lookup_elem(const uint8_t* key, uint32_t cpu) override;
    int64_t do_update_elem(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu) override;
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;
    void save_extra(StateWriter& w) const override;
    void restore_extra(StateReader& r) override;

  private:
    explicit LpmTrieMap(const MapSpec& spec);
    bool init();

    static uint32_t key_prefixlen(const uint8_t* key);
    // A node is node_words() u32 words in one block: child[0], child[1], its value slot (kNone:
    // an intermediate node), its prefixlen, then its data bytes -- a lookup touches one cache
    // line per level, as the kernel's nodes with inline data.
    static constexpr uint32_t node_words(uint64_t data_size) { return 4 + uint32_t((data_size + 3) / 4); }
    uint32_t node_capacity() const { return 2 * max_entries(); }
    uint32_t* node_ptr(uint32_t n) { return words_.data() + uint64_t(n) * stride_; }
    const uint32_t* node_ptr(uint32_t n) const { return words_.data() + uint64_t(n) * stride_; }
    uint32_t& child(uint32_t n, uint32_t bit) { return node_ptr(n)[bit]; }
    uint32_t child(uint32_t n, uint32_t bit) const { return node_ptr(n)[bit]; }
    uint32_t& slot_of(uint32_t n) { return node_ptr(n)[2]; }
    uint32_t slot_of(uint32_t n) const { return node_ptr(n)[2]; }
    uint32_t& plen_of(uint32_t n) { return node_ptr(n)[3]; }
    uint32_t plen_of(uint32_t n) const { return node_ptr(n)[3]; }
    uint8_t* data_of(uint32_t n) { return reinterpret_cast<uint8_t*>(node_ptr(n) + 4); }
    const uint8_t* data_of(uint32_t n) const { return reinterpret_cast<const uint8_t*>(node_ptr(n) + 4); }
    void set_node(uint32_t n, uint32_t child0, uint32_t child1, uint32_t slot, uint32_t prefixlen) {
        uint32_t* w = node_ptr(n);
        w[0] = child0, w[1] = child1, w[2] = slot, w[3] = prefixlen;
    }
    bool is_intermediate(uint32_t node) const { return slot_of(node) == kNone; }
    // longest_prefix_match: the common leading bits of the node's data and the key's, at most
    // min(node prefixlen, key prefixlen).
    uint32_t match_len(uint32_t node, uint32_t key_prefixlen, const uint8_t* key_data) const;
    // The node whose value a lookup of `key` returns, or kNone (trie_lookup_elem).
    uint32_t find(const uint8_t* key) const;
    uint32_t alloc_node();
    void free_node(uint32_t node);
    uint32_t take_value_slot();
    void release_value_slot(uint32_t slot);
    // Gives `node` a fresh value slot holding `value` and frees its old one (a new kernel node
    // replacing the old).
    void set_value(uint32_t node, const uint8_t* value);
    void write_key(uint32_t node, uint8_t* key) const; // prefixlen + data, key_size bytes

    std::vector<uint32_t> words_;      // the nodes, node_words() each; free ones linked by child[0]
    uint32_t stride_ = 0;              // node_words(data_size())
    std::vector<uint32_t> slot_owner_; // per value slot: the node using it, or kNone
    std::vector<uint32_t> free_slots_; // a ring of free value slots (first freed, first reused)
    uint32_t free_head_ = 0;           // ring position of the next slot to take
    uint32_t free_count_ = 0;
    uint32_t free_nodes_ = kNone; // head of the free node list
    uint32_t root_ = kNone;
    uint32_t n_entries_ = 0;
};

} // namespace bpfplay
