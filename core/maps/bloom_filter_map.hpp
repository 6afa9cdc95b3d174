#pragma once
// BPF_MAP_TYPE_BLOOM_FILTER, kernel/bpf/bloom_filter.c: a set that can only say "maybe" or
// "certainly not". bpf_map_push_elem adds a value (sets nr_hash_funcs bits of a bit array);
// bpf_map_peek_elem answers 0 when every one of the value's bits is set (the value, or some
// other values that happen to set the same bits: a false positive) and -ENOENT otherwise.
// Nothing can be listed, popped or deleted.
//
// The bit array is sized and hashed exactly as the kernel does it: max_entries * nr_hash_funcs
// * 7 / 5 bits rounded up to a power of two (at least 64), hash i of a value is jhash2 over its
// u32 words when value_size is a multiple of 4, else jhash over its bytes, seeded with
// hash_seed + i. With BPF_F_ZERO_SEED the seed is 0 and the same values set the same bits as in
// the kernel, false positives included. Without it the kernel picks a random seed per map;
// bpfplay uses a fixed one (kDefaultSeed), so runs stay reproducible.
#include <memory>
#include <string>

#include "core/maps/map.hpp"
#include "core/maps/map_check.hpp"

namespace bpfplay {

class BloomFilterMap final : public Map {
  public:
    static constexpr uint32_t kDefaultSeed = 0x9e3779b9; // bpfplay's stand-in for get_random_u32()

    // The kernel's sizing (bloom_map_alloc): the bit array's bytes and the hash mask.
    struct Geometry {
        uint32_t nr_hash_funcs = 0;
        uint64_t bitset_bytes = 0;
        uint32_t bitset_mask = 0;
    };
    static Geometry geometry(const MapSpec& spec);

    static uint64_t footprint(const MapSpec& spec) { return geometry(spec).bitset_bytes; }
    // bloom_map_alloc_check and the checks of bloom_map_alloc.
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<BloomFilterMap> make(const MapSpec& spec);

    uint32_t nr_hash_funcs() const { return geometry_.nr_hash_funcs; }
    uint32_t hash_seed() const { return seed_; }
    uint64_t bit_count() const { return uint64_t(geometry_.bitset_mask) + 1; }
    uint64_t bits_set() const;
    // Bit `index` (0 .. nr_hash_funcs-1) of a value_size-byte value: hash & bitset_mask.
    uint32_t bit_of(const uint8_t* value, uint32_t index) const;

    // Nothing to list: a bloom filter keeps no values.
    uint32_t count() const override { return 0; }
    void for_each_entry(const EntryVisitor&) const override {}
    std::optional<std::vector<uint8_t>> key_of_slot(uint32_t) const override { return std::nullopt; }
    std::string summary() const override;

  protected:
    // Programs may only push and peek (the verifier); the kernel's ops for the rest.
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override {
        return -kerrno::kEINVAL;
    }
    int64_t do_delete_elem(const uint8_t*) override { return -kerrno::kEOPNOTSUPP; }
    // The syscall side: lookup peeks with the value user space passes, update pushes.
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t*, uint8_t*) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_push_elem(const uint8_t* value, uint64_t flags) override;
    int64_t do_pop_elem(uint8_t*) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_peek_elem(uint8_t* value) override;

  private:
    BloomFilterMap(const MapSpec& spec, const Geometry& g);
    bool test_bit(uint32_t bit) const { return value_region()[bit / 8] & (1u << (bit % 8)); }

    Geometry geometry_;
    uint32_t seed_;
    uint32_t aligned_u32_count_; // value_size / 4 when value_size is a multiple of 4, else 0
};

} // namespace bpfplay
