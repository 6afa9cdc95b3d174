// BPF_MAP_TYPE_BLOOM_FILTER: creation checks, every operation's return code, the bit array's
// size and -- the point of matching the kernel's hashing -- the exact false positives Linux
// 6.18 gave for the same values (recorded with a libbpf program: BPF_F_ZERO_SEED maps, values
// pushed with bpf_map_update_elem, probed with bpf_map_lookup_elem).
#include <set>
#include <string>

#include "core/maps/bloom_filter_map.hpp"
#include "core/maps/jhash.hpp"
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace f = map_flag;
namespace u = map_update;

const std::vector<uint8_t> kNoKey;

MapSpec bloom(uint32_t value_size, uint32_t max_entries, uint64_t nr_hash_funcs,
              uint32_t flags = f::kZeroSeed) {
    MapSpec s = spec(MapType::BloomFilter, 0, value_size, max_entries, flags, "bf");
    s.map_extra = nr_hash_funcs;
    return s;
}

std::unique_ptr<Map> make(const MapSpec& s) {
    auto m = create_map(s);
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? std::string() : m.error().to_string()));
    return std::move(m.value());
}

TEST_CASE("bloom filter: creation is refused as the kernel refuses it") {
    CHECK(create_errno(bloom(4, 4, 0, 0)) == 0);
    CHECK(create_errno(spec(MapType::BloomFilter, 4, 4, 4)) == -e::kEINVAL); // a key
    CHECK(create_errno(bloom(0, 4, 0)) == -e::kEINVAL);
    CHECK(create_errno(bloom(4, 0, 0)) == -e::kEINVAL);
    CHECK(create_errno(bloom(4, 4, 0, f::kNoPrealloc)) == -e::kEINVAL);
    CHECK(create_errno(bloom(4, 4, 0, f::kZeroSeed)) == 0);
    CHECK(create_errno(bloom(4, 4, 0, f::kNumaNode)) == 0);
    CHECK(create_errno(bloom(4, 4, 15)) == 0);
    CHECK(create_errno(bloom(4, 4, 16)) == -e::kEINVAL);
    CHECK(create_errno(bloom(4, 4, 1ull << 32)) == -e::kEINVAL);
    CHECK(create_errno(bloom((4u << 20) + 1, 4, 0)) == -e::kE2BIG);
    // bloom_map_alloc_check (-E2BIG) runs before bloom_map_alloc's -EINVAL checks.
    CHECK(create_errno(spec(MapType::BloomFilter, 4, (4u << 20) + 1, 4)) == -e::kE2BIG);
    CHECK(create_errno(bloom(4, 4, 0, f::kRdonlyProg | f::kWronlyProg)) == -e::kEINVAL);
    // Other types take no map_extra (map_create).
    MapSpec h = spec(MapType::Hash, 4, 4, 4);
    h.map_extra = 1;
    CHECK(create_errno(h) == -e::kEINVAL);
    MapSpec lpm = spec(MapType::LpmTrie, 8, 4, 4, f::kNoPrealloc);
    lpm.map_extra = 1;
    CHECK(create_errno(lpm) == -e::kEINVAL);
    // The kernel makes a 512 MiB bit array for 2^31 values; bpfplay's memory limit refuses it.
    CHECK(create_errno(bloom(4, 1u << 31, 0)) == -e::kENOMEM);
    auto problem = check_map_spec(bloom(4, 4, 16));
    REQUIRE(problem.has_value());
    CHECK(problem->error.what ==
          "-EINVAL: bloom_filter map \"bf\" has map_extra 16; only its low 4 bits (the number "
          "of hash functions, 1 to 15, 0 for 5) may be set");
}

TEST_CASE("bloom filter: the bit array is sized as the kernel sizes it") {
    auto g = BloomFilterMap::geometry(bloom(4, 10, 1));
    CHECK(g.nr_hash_funcs == 1);
    CHECK(g.bitset_mask == 63); // 10 * 1 / 5 * 7 = 14 bits: at least 64
    CHECK(g.bitset_bytes == 8);
    g = BloomFilterMap::geometry(bloom(4, 10, 0));
    CHECK(g.nr_hash_funcs == 5); // map_extra 0: the default 5
    CHECK(g.bitset_mask == 127); // 70 bits, rounded up to a power of two
    CHECK(g.bitset_bytes == 16);
    g = BloomFilterMap::geometry(bloom(4, 1000, 3));
    CHECK(g.bitset_mask == 8191);                        // 3000 / 5 * 7 = 4200 bits -> 8192
    g = BloomFilterMap::geometry(bloom(4, 1u << 30, 5)); // 5 * 2^30 overflows a u32: 2^32 bits
    CHECK(g.bitset_mask == UINT32_MAX);
    CHECK(g.bitset_bytes == 1ull << 29);
}

TEST_CASE("bloom filter: user space pushes and peeks with the kernel's codes") {
    auto m = make(bloom(4, 4, 1));
    std::vector<uint8_t> v = bytes(uint32_t(1));
    CHECK(m->update_user(kNoKey, v, u::kExist) == -e::kEINVAL);
    CHECK(m->update_user(kNoKey, v, u::kNoExist) == -e::kEINVAL);
    CHECK(m->update_user(kNoKey, v, u::kLock) == -e::kEINVAL);
    CHECK(m->lookup_user(kNoKey, v) == -e::kENOENT);
    CHECK(m->update_user(kNoKey, v, u::kAny) == 0);
    CHECK(m->lookup_user(kNoKey, v) == 0);
    CHECK(as<uint32_t>(v) == 1); // a peek reads the value, writes nothing
    CHECK(m->lookup_and_delete_user(kNoKey, v) == -e::kENOTSUPP);
    CHECK(m->lookup_and_delete_user(kNoKey, v, 1) == -e::kEINVAL);
    CHECK(m->lookup_and_delete_user(kNoKey, v, u::kLock) == -e::kEINVAL);
    CHECK(m->delete_user(kNoKey) == -e::kEOPNOTSUPP);
    std::vector<uint8_t> next;
    CHECK(m->get_next_key({}, next) == -e::kEOPNOTSUPP);
    CHECK(m->lookup_user(kNoKey, v, u::kLock) == -e::kEINVAL);
    // Program side: push/peek as above; pop, lookup, update and delete are the kernel's refusals.
    CHECK(m->push_elem(bytes(uint32_t(2)), u::kAny) == 0);
    CHECK(m->push_elem(bytes(uint32_t(2)), u::kExist) == -e::kEINVAL);
    std::vector<uint8_t> p = bytes(uint32_t(2));
    CHECK(m->peek_elem(p) == 0);
    CHECK(m->pop_elem(p) == -e::kEOPNOTSUPP);
    CHECK(m->lookup_elem(kNoKey, 0) == 0);
    CHECK(m->update_elem(kNoKey, p, u::kAny, 0) == -e::kEINVAL);
    CHECK(m->delete_elem(kNoKey) == -e::kEOPNOTSUPP);
    CHECK(m->entries().empty());
    CHECK(m->count() == 0);
}

// The values the kernel run pushed (i = 0..9) and probed (i = 0..199), value_size bytes each.
std::vector<uint8_t> pushed_value(uint32_t i, uint32_t size) {
    std::vector<uint8_t> b(size);
    for (uint32_t k = 0; k < size; ++k)
        b[k] = uint8_t(i * 7 + k * 13 + 1);
    return b;
}
std::vector<uint8_t> probed_value(uint32_t i, uint32_t size) {
    std::vector<uint8_t> b(size);
    for (uint32_t k = 0; k < size; ++k)
        b[k] = uint8_t(uint8_t(i * 7 + k * 13 + 1) ^ (k == 0 && i >= 10 ? 0x5a : 0) ^ uint8_t(i >> 3));
    return b;
}

struct KernelProbe {
    uint32_t value_size;
    uint32_t map_extra;
    std::vector<uint32_t> maybe_present; // probe indexes the kernel's peek answered 0 for
};

// Linux 6.18.44, max_entries 10, BPF_F_ZERO_SEED. Probes 0..7 equal pushed values; every other
// index listed is a false positive. Sizes 4, 8, 12, ... hash with jhash2, the others with jhash.
const KernelProbe kKernelProbes[] = {
    {1, 1, {0,  1,  2,   3,   4,   5,   6,   7,   12,  25,  29,  32,  38,  42,  58,  60,  83,  84,
            87, 91, 119, 121, 122, 124, 125, 127, 134, 135, 154, 157, 160, 164, 165, 171, 190, 199}},
    {1, 3, {0, 1, 2, 3, 4, 5, 6, 7, 12, 16, 31, 56, 83, 84, 87, 92, 119, 125, 154, 190, 198}},
    {1, 0, {0, 1, 2, 3, 4, 5, 6, 7, 60, 83, 84, 87, 119, 125, 135}},
    {3, 1, {0,  1,  2,  3,   4,   5,   6,   7,   13,  25,  28,  29,  32,  43,  53,  58,  69,  78, 79,
            87, 95, 98, 105, 107, 108, 116, 128, 132, 145, 149, 157, 162, 163, 170, 177, 192, 195}},
    {3, 3, {0, 1, 2, 3, 4, 5, 6, 7, 48, 60, 72, 88, 136, 140, 161, 174, 187, 190, 191}},
    {3, 0, {0, 1, 2, 3, 4, 5, 6, 7}},
    {4, 1, {0,  1,  2,  3,   4,   5,   6,   7,   12,  27,  29,  36,  48,  54,  65,  75,  77,
            78, 83, 94, 106, 109, 117, 125, 147, 149, 155, 163, 164, 165, 167, 174, 182, 193}},
    {4, 3, {0, 1, 2, 3, 4, 5, 6, 7, 31, 59, 70, 91, 93, 109, 112, 132, 152, 153}},
    {4, 0, {0, 1, 2, 3, 4, 5, 6, 7}},
    {6, 1, {0,  1,  2,  3,  4,   5,   6,   7,   11,  22,  27,  31,  38,  39,  54,  71,  78,  85,  88,
            89, 92, 95, 97, 102, 121, 127, 128, 141, 144, 149, 150, 162, 167, 169, 177, 192, 198, 199}},
    {6, 3, {0, 1, 2, 3, 4, 5, 6, 7, 11, 27, 47, 76, 95, 106, 118, 141, 144, 163, 169, 197}},
    {6, 0, {0, 1, 2, 3, 4, 5, 6, 7, 85}},
    {8, 1, {0,   1,   2,   3,   4,   5,   6,   7,   8,   13,  15,  16,  19, 20,  28,
            32,  38,  39,  42,  50,  52,  70,  75,  79,  82,  83,  86,  87, 100, 104,
            124, 133, 138, 144, 160, 163, 164, 170, 172, 180, 182, 186, 194}},
    {8, 3, {0, 1, 2, 3, 4, 5, 6, 7, 9, 27, 36, 43, 65, 72, 100, 104, 119, 158, 180}},
    {8, 0, {0, 1, 2, 3, 4, 5, 6, 7, 183}},
    {12, 1, {0,  1,  2,  3,  4,   5,   6,   7,   9,   11,  33,  44,  50,  53,  57,  62, 67,
             78, 79, 93, 98, 113, 125, 139, 140, 153, 165, 172, 178, 182, 195, 196, 199}},
    {12, 3, {0, 1, 2, 3, 4, 5, 6, 7, 139, 147, 199}},
    {12, 0, {0, 1, 2, 3, 4, 5, 6, 7}},
    {13, 1, {0,  1,  2,  3,  4,   5,   6,   7,   15,  16,  17,  22,  28,  37,  40,  53,
             57, 76, 79, 96, 103, 107, 122, 125, 128, 129, 152, 158, 159, 174, 178, 191}},
    {13, 3, {0, 1, 2, 3, 4, 5, 6, 7, 12, 24, 39, 64, 93, 96, 103, 108, 111, 125, 138, 148, 152, 170, 174}},
    {13, 0, {0, 1, 2, 3, 4, 5, 6, 7, 175}},
    {16, 1, {0,   1,   2,   3,   4,   5,   6,   7,   16,  21,  66,  78,  85,  96,  97,  98,
             106, 111, 130, 141, 144, 149, 155, 160, 164, 166, 170, 171, 180, 191, 193, 196}},
    {16, 3, {0, 1, 2, 3, 4, 5, 6, 7, 23, 47, 65, 90, 98, 103, 138, 141, 151, 157, 171}},
    {16, 0, {0, 1, 2, 3, 4, 5, 6, 7}},
    {20, 1, {0,  1,  2,   3,   4,   5,   6,   7,   34,  54,  57,  64,  65,  68, 84,
             92, 98, 101, 108, 109, 134, 135, 136, 143, 152, 163, 167, 173, 191}},
    {20, 3, {0, 1, 2, 3, 4, 5, 6, 7, 30, 53, 57, 68, 143, 155, 179}},
    {20, 0, {0, 1, 2, 3, 4, 5, 6, 7, 53}},
    {24, 1, {0,   1,   2,   3,   4,   5,   6,   7,   21,  30,  33,  56,  70,  77, 85,
             100, 108, 111, 127, 132, 134, 138, 151, 161, 171, 172, 174, 183, 198}},
    {24, 3, {0, 1, 2, 3, 4, 5, 6, 7, 27, 40, 83, 100, 118, 126, 127, 133, 141, 147, 197}},
    {24, 0, {0, 1, 2, 3, 4, 5, 6, 7}},
    {25, 1, {0,   1,   2,   3,   4,   5,   6,   7,   10,  20,  23,  47,  49,  50,
             52,  58,  62,  70,  71,  78,  80,  84,  86,  100, 109, 113, 129, 130,
             131, 132, 133, 140, 142, 146, 156, 162, 177, 189, 195, 198}},
    {25, 3, {0, 1, 2, 3, 4, 5, 6, 7, 31, 56, 61, 63, 86, 109, 114, 129, 130, 172, 180, 193, 194, 195}},
    {25, 0, {0, 1, 2, 3, 4, 5, 6, 7, 30, 61, 121, 145}},
};

TEST_CASE("bloom filter: the same values give the kernel's false positives") {
    for (const KernelProbe& k : kKernelProbes) {
        CAPTURE(k.value_size);
        CAPTURE(k.map_extra);
        auto m = make(bloom(k.value_size, 10, k.map_extra));
        for (uint32_t i = 0; i < 10; ++i)
            REQUIRE(m->update_user(kNoKey, pushed_value(i, k.value_size), u::kAny) == 0);
        std::vector<uint32_t> maybe;
        for (uint32_t i = 0; i < 200; ++i) {
            std::vector<uint8_t> v = probed_value(i, k.value_size);
            const int64_t rc = m->lookup_user(kNoKey, v);
            REQUIRE((rc == 0 || rc == -e::kENOENT));
            if (rc == 0) maybe.push_back(i);
        }
        CHECK(maybe == k.maybe_present);
    }
}

TEST_CASE("jhash over 4n bytes equals jhash2 over n words on a little-endian host") {
    // The kernel picks jhash2 for value sizes that are multiples of 4 only for speed: both
    // functions start from initval + length in bytes and add the same words.
    uint8_t b[24];
    for (uint8_t i = 0; i < 24; ++i)
        b[i] = uint8_t(i * 37 + 5);
    for (uint32_t words = 1; words <= 6; ++words) {
        CAPTURE(words);
        CHECK(jhash(b, 4 * words, 11) == jhash2(b, words, 11));
    }
    CHECK(jhash(b, 0, 0) == 0xdeadbeef); // no bytes: the initial value, unmixed
    CHECK(jhash2(b, 0, 7) == 0xdeadbeef + 7);
    CHECK(jhash(b, 5, 0) != jhash(b, 6, 0));
}

TEST_CASE("bloom filter: the summary counts set bits; restore_state brings them back") {
    auto m = make(bloom(4, 10, 3));
    auto& bf = static_cast<BloomFilterMap&>(*m);
    CHECK(bf.summary() ==
          "0 of 64 bits set; 3 hash functions, seed 0 (BPF_F_ZERO_SEED); peek says \"maybe present\" "
          "only when all of a value's bits are set");
    std::vector<uint8_t> saved;
    m->save_state(saved);
    REQUIRE(m->update_user(kNoKey, bytes(uint32_t(42)), u::kAny) == 0);
    const uint64_t set = bf.bits_set();
    CHECK(set >= 1);
    CHECK(set <= 3);
    std::set<uint32_t> bits;
    const auto v = bytes(uint32_t(42));
    for (uint32_t i = 0; i < 3; ++i)
        bits.insert(bf.bit_of(v.data(), i));
    CHECK(set == bits.size());
    m->restore_state(saved);
    CHECK(bf.bits_set() == 0);
    std::vector<uint8_t> probe = bytes(uint32_t(42));
    CHECK(m->lookup_user(kNoKey, probe) == -e::kENOENT);
    // Without BPF_F_ZERO_SEED the seed is bpfplay's fixed stand-in for the kernel's random one.
    auto seeded = make(bloom(4, 10, 3, 0));
    CHECK(static_cast<BloomFilterMap&>(*seeded).hash_seed() == BloomFilterMap::kDefaultSeed);
}

} // namespace
} // namespace bpfplay
