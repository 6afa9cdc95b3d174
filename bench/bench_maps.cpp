// What map operations cost: an LPM trie's longest-prefix lookup and its update, next to a hash
// map's lookup and update, at 1, 1,000 and 1,000,000 entries (the largest bpfplay's per-map
// memory limit, kMaxMapBytes, allows for these key and value sizes; the program prints the
// largest max_entries that limit admits). Nanoseconds per operation through the Map interface
// the helpers call (Map::lookup_elem / update_elem), best of 3 passes. Prints figures; never
// asserts on time.
// Run: build/bench/bench_maps
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/maps/hash_map.hpp"
#include "core/maps/lpm_trie_map.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"

namespace {

using namespace bpfplay;
using Clock = std::chrono::steady_clock;

// A deterministic stream of 32-bit numbers (xorshift32).
struct Rng {
    uint32_t s = 0x12345678;
    uint32_t next() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }
};

MapSpec lpm_spec(uint32_t n) {
    MapSpec s;
    s.type = MapType::LpmTrie;
    s.name = "routes";
    s.key_size = 8; // u32 prefixlen + an IPv4 address
    s.value_size = 8;
    s.max_entries = n;
    s.map_flags = map_flag::kNoPrealloc;
    return s;
}

MapSpec hash_spec(uint32_t n) {
    MapSpec s;
    s.type = MapType::Hash;
    s.name = "flows";
    s.key_size = 4; // an IPv4 address
    s.value_size = 8;
    s.max_entries = n;
    return s;
}

// A map in a set of its own, so lookups return real value addresses (0 on a miss).
struct Owned {
    std::unique_ptr<MapSet> set;
    Map* map = nullptr;
};

Owned make(const MapSpec& s) {
    Owned o;
    o.set = std::make_unique<MapSet>();
    auto id = o.set->create(s);
    if (!id.ok()) {
        std::fprintf(stderr, "bench_maps: %s\n", id.error().to_string().c_str());
        std::exit(1);
    }
    o.map = o.set->get(id.value());
    return o;
}

// The largest max_entries whose footprint fits kMaxMapBytes.
uint32_t largest_fitting(MapSpec s) {
    uint64_t lo = 1, hi = UINT32_MAX;
    while (lo < hi) {
        const uint64_t mid = (lo + hi + 1) / 2;
        s.max_entries = uint32_t(mid);
        if (check_map_spec(s))
            hi = mid - 1;
        else
            lo = mid;
    }
    return uint32_t(lo);
}

std::vector<uint8_t> lpm_key(uint32_t prefixlen, uint32_t addr_be) {
    std::vector<uint8_t> k(8);
    std::memcpy(k.data(), &prefixlen, 4);
    std::memcpy(k.data() + 4, &addr_be, 4);
    return k;
}

// `setup` runs before each pass, untimed.
template <class S, class F> double ns_per_op(size_t ops, S&& setup, F&& body) {
    double best = 0;
    for (int pass = 0; pass < 3; ++pass) {
        setup();
        const auto start = Clock::now();
        body();
        const double ns =
            std::chrono::duration<double, std::nano>(Clock::now() - start).count() / double(ops);
        if (pass == 0 || ns < best) best = ns;
    }
    return best;
}

struct Figures {
    double insert = 0, update = 0, lookup_hit = 0, lookup_miss = 0;
    double hit_rate = 0, miss_rate = 0; // how many of each kind of lookup found a value
};

// The share of `keys` a lookup finds a value for.
double found_share(Map& m, const std::vector<std::vector<uint8_t>>& keys) {
    size_t found = 0;
    for (const auto& k : keys)
        found += m.lookup_elem(k, 0) != 0;
    return double(found) / double(keys.size());
}

// LPM trie: n routes with prefix lengths 16..32 at random addresses (duplicates collapse).
Figures bench_lpm(uint32_t n, uint64_t& sink) {
    Rng rng;
    std::vector<std::vector<uint8_t>> routes;
    routes.reserve(n);
    for (uint32_t i = 0; i < n; ++i)
        routes.push_back(lpm_key(16 + rng.next() % 17, rng.next()));
    const std::vector<uint8_t> value(8, 1);
    Figures f;
    Owned owned;
    Map* m = nullptr;
    f.insert = ns_per_op(
        n,
        [&] {
            owned = make(lpm_spec(n));
            m = owned.map;
        },
        [&] {
            for (const auto& k : routes)
                sink += uint64_t(m->update_elem(k, value, map_update::kAny, 0));
        });
    f.update = ns_per_op(
        n, [] {},
        [&] {
            for (const auto& k : routes)
                sink += uint64_t(m->update_elem(k, value, map_update::kExist, 0));
        });
    // Lookups as a router makes them: /32 keys, the routes' own addresses (hits) or random ones.
    const size_t lookups = 1'000'000;
    std::vector<std::vector<uint8_t>> hits, randoms;
    for (size_t i = 0; i < 4096; ++i) {
        std::vector<uint8_t> k = routes[i % routes.size()];
        const uint32_t full = 32;
        std::memcpy(k.data(), &full, 4);
        hits.push_back(k);
        randoms.push_back(lpm_key(32, rng.next()));
    }
    f.lookup_hit = ns_per_op(
        lookups, [] {},
        [&] {
            for (size_t i = 0; i < lookups; ++i)
                sink += m->lookup_elem(hits[i & 4095], 0);
        });
    f.lookup_miss = ns_per_op(
        lookups, [] {},
        [&] {
            for (size_t i = 0; i < lookups; ++i)
                sink += m->lookup_elem(randoms[i & 4095], 0);
        });
    f.hit_rate = found_share(*m, hits);
    f.miss_rate = found_share(*m, randoms); // random addresses: some fall under a stored prefix
    return f;
}

Figures bench_hash(uint32_t n, uint64_t& sink) {
    Rng rng;
    std::vector<std::vector<uint8_t>> keys;
    keys.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        std::vector<uint8_t> k(4);
        const uint32_t v = rng.next();
        std::memcpy(k.data(), &v, 4);
        keys.push_back(std::move(k));
    }
    const std::vector<uint8_t> value(8, 1);
    Figures f;
    Owned owned;
    Map* m = nullptr;
    f.insert = ns_per_op(
        n,
        [&] {
            owned = make(hash_spec(n));
            m = owned.map;
        },
        [&] {
            for (const auto& k : keys)
                sink += uint64_t(m->update_elem(k, value, map_update::kAny, 0));
        });
    f.update = ns_per_op(
        n, [] {},
        [&] {
            for (const auto& k : keys)
                sink += uint64_t(m->update_elem(k, value, map_update::kExist, 0));
        });
    const size_t lookups = 1'000'000;
    std::vector<std::vector<uint8_t>> misses;
    for (size_t i = 0; i < 4096; ++i) {
        std::vector<uint8_t> k(4);
        const uint32_t v = rng.next();
        std::memcpy(k.data(), &v, 4);
        misses.push_back(std::move(k));
    }
    f.lookup_hit = ns_per_op(
        lookups, [] {},
        [&] {
            for (size_t i = 0; i < lookups; ++i)
                sink += m->lookup_elem(keys[(i * 2654435761u) % keys.size()], 0);
        });
    f.lookup_miss = ns_per_op(
        lookups, [] {},
        [&] {
            for (size_t i = 0; i < lookups; ++i)
                sink += m->lookup_elem(misses[i & 4095], 0);
        });
    std::vector<std::vector<uint8_t>> sample(keys.begin(),
                                             keys.begin() + std::min<size_t>(keys.size(), 4096));
    f.hit_rate = found_share(*m, sample);
    f.miss_rate = found_share(*m, misses);
    return f;
}

} // namespace

int main() {
    std::printf("per-map memory limit %" PRIu64
                " MiB: an LPM trie (8-byte key, 8-byte value) fits max_entries "
                "%u; a hash map (4-byte key, 8-byte value) %u\n",
                uint64_t(kMaxMapBytes >> 20), largest_fitting(lpm_spec(1)), largest_fitting(hash_spec(1)));
    std::printf(
        "ns per operation (update: replace an existing entry; random: a lookup of a random address, found\n"
        "when it falls under a stored prefix -- the share found is in brackets)\n");
    std::printf("%-9s %9s  %8s %8s %17s %17s\n", "map", "entries", "insert", "update", "lookup stored",
                "lookup random");
    uint64_t sink = 0;
    for (uint32_t n : {1u, 1000u, 1000000u}) {
        const Figures l = bench_lpm(n, sink);
        std::printf("%-9s %9u  %8.1f %8.1f %8.1f [%5.1f%%] %8.1f [%5.1f%%]\n", "lpm_trie", n, l.insert,
                    l.update, l.lookup_hit, 100 * l.hit_rate, l.lookup_miss, 100 * l.miss_rate);
        const Figures h = bench_hash(n, sink);
        std::printf("%-9s %9u  %8.1f %8.1f %8.1f [%5.1f%%] %8.1f [%5.1f%%]\n", "hash", n, h.insert, h.update,
                    h.lookup_hit, 100 * h.hit_rate, h.lookup_miss, 100 * h.miss_rate);
        std::fflush(stdout);
    }
    std::printf("(checksum %" PRIu64 ")\n", sink % 1000);
    return 0;
}
