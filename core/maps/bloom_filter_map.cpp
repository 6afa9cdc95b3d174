#include "core/maps/bloom_filter_map.hpp"

#include <bit>
#include <new>

#include "core/maps/jhash.hpp"

namespace bpfplay {

namespace e = kerrno;
namespace f = map_flag;

BloomFilterMap::Geometry BloomFilterMap::geometry(const MapSpec& spec) {
    Geometry g;
    g.nr_hash_funcs = spec.map_extra & 0xf ? uint32_t(spec.map_extra & 0xf) : 5; // 0: the default, 5
    // n * k / ln(2) bits, with 7/5 for 1/ln(2), in u32 arithmetic: an overflow (or more than
    // 2^31 bits) gives the largest array, 2^32 bits.
    const uint64_t nk = uint64_t(spec.max_entries) * g.nr_hash_funcs;
    const uint64_t nr_bits = nk > UINT32_MAX ? UINT64_MAX : (nk / 5) * 7;
    if (nr_bits > (1ull << 31)) {
        g.bitset_bytes = (uint64_t(UINT32_MAX) + 7) / 8;
        g.bitset_mask = UINT32_MAX;
    } else {
        const uint64_t bits = nr_bits <= 64 ? 64 : std::bit_ceil(nr_bits);
        g.bitset_bytes = bits / 8;
        g.bitset_mask = uint32_t(bits - 1);
    }
    g.bitset_bytes = (g.bitset_bytes + 7) & ~uint64_t(7); // whole unsigned longs
    return g;
}

MapCheckResult BloomFilterMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    // bloom_map_alloc_check runs first, then bloom_map_alloc's own checks.
    if (s.value_size > kKmallocMaxSize)
        return c.fail(-e::kE2BIG, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                      "; values are at most " + std::to_string(kKmallocMaxSize) +
                                      " bytes (KMALLOC_MAX_SIZE)");
    if (s.key_size != 0)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) +
                          "; a bloom filter has no keys (key_size must be 0)",
                      "Declare only the value: __type(value, ...), no key.");
    if (s.value_size == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has value_size 0; values are at least 1 byte");
    if (s.max_entries == 0)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has max_entries 0; it sizes the bit array for that many values",
                      "Set max_entries to the number of values you expect to push.");
    if (auto err = c.unknown_flags(f::kNumaNode | f::kZeroSeed | f::kAccessMask)) return err;
    if (auto err = c.access_flags()) return err;
    if (s.map_extra & ~uint64_t(0xf))
        return c.fail(-e::kEINVAL,
                      c.kind() + " has map_extra " + std::to_string(s.map_extra) +
                          "; only its low 4 bits (the number of hash functions, 1 to 15, 0 for 5) may be set",
                      "Use __uint(map_extra, N) with N from 0 to 15.");
    return std::nullopt;
}

BloomFilterMap::BloomFilterMap(const MapSpec& spec, const Geometry& g)
    : Map(spec, 1, uint32_t(g.bitset_bytes), /*program_visible=*/false), geometry_(g),
      seed_(spec.map_flags & f::kZeroSeed ? 0 : kDefaultSeed),
      aligned_u32_count_(spec.value_size % 4 == 0 ? spec.value_size / 4 : 0) {}

std::unique_ptr<BloomFilterMap> BloomFilterMap::make(const MapSpec& spec) {
    std::unique_ptr<BloomFilterMap> m(new (std::nothrow) BloomFilterMap(spec, geometry(spec)));
    if (!m || !m->allocate_storage()) return nullptr;
    return m;
}

uint32_t BloomFilterMap::bit_of(const uint8_t* value, uint32_t index) const {
    const uint32_t h = aligned_u32_count_ ? jhash2(value, aligned_u32_count_, seed_ + index)
                                          : jhash(value, value_size(), seed_ + index);
    return h & geometry_.bitset_mask;
}

int64_t BloomFilterMap::do_push_elem(const uint8_t* value, uint64_t flags) {
    if (flags != map_update::kAny) return -e::kEINVAL;
    uint8_t* bits = value_region().data();
    for (uint32_t i = 0; i < geometry_.nr_hash_funcs; ++i) {
        const uint32_t b = bit_of(value, i);
        bits[b / 8] |= uint8_t(1u << (b % 8));
    }
    return 0;
}

int64_t BloomFilterMap::do_peek_elem(uint8_t* value) {
    for (uint32_t i = 0; i < geometry_.nr_hash_funcs; ++i)
        if (!test_bit(bit_of(value, i))) return -e::kENOENT;
    return 0;
}

int64_t BloomFilterMap::do_lookup_user(const uint8_t*, uint8_t* value) {
    return do_peek_elem(value);
}

int64_t BloomFilterMap::do_update_user(const uint8_t*, const uint8_t* value, uint64_t flags) {
    return do_push_elem(value, flags);
}

uint64_t BloomFilterMap::bits_set() const {
    uint64_t n = 0;
    for (uint8_t b : value_region())
        n += uint64_t(std::popcount(b));
    return n;
}

std::string BloomFilterMap::summary() const {
    const uint32_t k = geometry_.nr_hash_funcs;
    return std::to_string(bits_set()) + " of " + std::to_string(bit_count()) + " bits set; " +
           std::to_string(k) + (k == 1 ? " hash function" : " hash functions") + ", seed " +
           (seed_ == 0 ? std::string("0 (BPF_F_ZERO_SEED)") : "fixed (the kernel picks a random one)") +
           "; peek says \"maybe present\" only when all of a value's bits are set";
}

} // namespace bpfplay
