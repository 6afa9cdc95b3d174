// SOCKMAP and SOCKHASH from user space and from programs' map helpers, with the answers of
// net/core/sock_map.c: creation rules, which sockets may be added, the update flags, lookups that
// give the cookie (value_size 8 only), deletes, and both get_next_key orders.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/maps/jhash.hpp"
#include "core/maps/reuseport_array_map.hpp"
#include "core/maps/sock_map.hpp"
#include "tests/maps/map_test_util.hpp"

namespace bpfplay {
namespace {

using test::add;
using test::bytes;
using test::create_errno;
using test::spec;
namespace e = kerrno;

constexpr uint64_t kEstablished = 11, kListener = 12, kUdp = 13, kSynSent = 14;
constexpr uint64_t kReuseListener = 15, kReuseUdp = 16;

// A host with four sockets: cookie 11 an established TCP socket, 12 a listener, 13 a UDP
// socket, 14 a TCP socket still connecting.
void host_sockets(MapSet& set) {
    set.set_socket_resolver([](uint64_t cookie) -> std::optional<SocketInfo> {
        switch (cookie) {
        case kEstablished: return SocketInfo{0, 0x1000, true, 1};
        case kListener: return SocketInfo{1, 0x1050, true, 10};
        case kUdp: return SocketInfo{2, 0x10a0, false, 7};
        case kSynSent: return SocketInfo{3, 0x10f0, true, 2};
        case kReuseListener: return SocketInfo{4, 0x1140, true, 10, true, true};
        case kReuseUdp: return SocketInfo{5, 0x1190, false, 7, true, true};
        default: return std::nullopt;
        }
    });
}

int64_t put(Map& m, uint32_t key, uint64_t cookie, uint64_t flags = 0) {
    return m.value_size() == 8 ? m.update_user(bytes(key), bytes(cookie), flags)
                               : m.update_user(bytes(key), bytes(uint32_t(cookie)), flags);
}

int64_t get(Map& m, uint32_t key, uint64_t& cookie) {
    std::vector<uint8_t> v(m.value_size());
    const int64_t rc = m.lookup_user(bytes(key), v);
    cookie = rc == 0 ? test::as<uint64_t>(v) : 0;
    return rc;
}

std::vector<uint32_t> walk(Map& m) {
    std::vector<uint32_t> keys;
    std::vector<uint8_t> key, next(4);
    while (m.get_next_key(key, next) == 0) {
        keys.push_back(test::as<uint32_t>(next));
        key = next;
    }
    return keys;
}

}  // namespace

TEST_CASE("sockmap: created with key 4, value 4 or 8, max_entries > 0, the NUMA and user-access flags") {
    CHECK(create_errno(spec(MapType::Sockmap, 4, 8, 4)) == 0);
    CHECK(create_errno(spec(MapType::Sockmap, 4, 4, 4)) == 0);
    CHECK(create_errno(spec(MapType::Sockmap, 4, 2, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Sockmap, 8, 8, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Sockmap, 4, 8, 0)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Sockmap, 4, 8, 4, map_flag::kRdonly)) == 0);
    CHECK(create_errno(spec(MapType::Sockmap, 4, 8, 4, map_flag::kNumaNode)) == 0);
    CHECK(create_errno(spec(MapType::Sockmap, 4, 8, 4, map_flag::kNoPrealloc)) == -e::kEINVAL);
}

TEST_CASE("sockmap: user space adds established, listening and UDP sockets by cookie") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::Sockmap, 4, 8, 4, 0, "socks"));
    CHECK(put(m, 0, kEstablished) == 0);
    CHECK(put(m, 1, kListener) == 0);
    CHECK(put(m, 2, kUdp) == 0);
    CHECK(put(m, 3, kSynSent) == -e::kEOPNOTSUPP);  // sock_map_sk_state_allowed
    CHECK(put(m, 3, 99) == -e::kEBADF);             // no such socket (the kernel: a bad fd)
    CHECK(put(m, 3, 0x80000000ull) == -e::kEINVAL); // past S32_MAX
    CHECK(put(m, 4, kEstablished) == -e::kE2BIG);
    CHECK(put(m, 3, kEstablished, 3) == -e::kEINVAL);  // flags past BPF_EXIST
    CHECK(put(m, 0, kUdp, map_update::kNoExist) == -e::kEEXIST);
    CHECK(put(m, 3, kUdp, map_update::kExist) == -e::kENOENT);
    CHECK(put(m, 0, kUdp, map_update::kExist) == 0);
    CHECK(m.count() == 3);
    uint64_t cookie = 0;
    CHECK(get(m, 0, cookie) == 0);
    CHECK(cookie == kUdp);
    CHECK(get(m, 1, cookie) == 0);
    CHECK(cookie == kListener);
    CHECK(get(m, 3, cookie) == -e::kENOENT);
    CHECK(m.entries()[1].label == "socket with cookie 12");
}

TEST_CASE("sockmap: a 4-byte value map cannot be read from user space (-ENOSPC)") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::Sockmap, 4, 4, 2));
    CHECK(put(m, 0, kEstablished) == 0);
    uint64_t cookie = 0;
    CHECK(get(m, 0, cookie) == -e::kENOSPC);
    CHECK(get(m, 1, cookie) == -e::kENOSPC);
}

TEST_CASE("sockmap: deleting an empty slot or one past max_entries is -EINVAL; get_next_key walks every index") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::Sockmap, 4, 8, 3));
    CHECK(put(m, 1, kEstablished) == 0);
    CHECK(walk(m) == std::vector<uint32_t>{0, 1, 2});
    CHECK(m.delete_user(bytes(uint32_t(0))) == -e::kEINVAL);
    CHECK(m.delete_user(bytes(uint32_t(3))) == -e::kEINVAL);
    CHECK(m.delete_user(bytes(uint32_t(1))) == 0);
    CHECK(m.delete_user(bytes(uint32_t(1))) == -e::kEINVAL);
    CHECK(m.count() == 0);
}

TEST_CASE("sockmap and sockhash: a program's lookup gives the socket's struct bpf_sock, NULL when empty") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::Sockmap, 4, 8, 2));
    Map& h = add(set, spec(MapType::Sockhash, 4, 8, 2));
    CHECK(put(m, 1, kListener) == 0);
    CHECK(put(h, 7, kUdp) == 0);
    CHECK(m.lookup_elem(bytes(uint32_t(1)), 0) == 0x1050);
    CHECK(m.lookup_elem(bytes(uint32_t(0)), 0) == 0);
    CHECK(h.lookup_elem(bytes(uint32_t(7)), 0) == 0x10a0);
    CHECK(h.lookup_elem(bytes(uint32_t(8)), 0) == 0);
    CHECK(m.delete_elem(bytes(uint32_t(1))) == 0);
    CHECK(h.delete_elem(bytes(uint32_t(7))) == 0);
    CHECK(h.delete_elem(bytes(uint32_t(7))) == -e::kENOENT);
}

TEST_CASE("sockhash: created with key 1..512, value 4 or 8, max_entries > 0") {
    CHECK(create_errno(spec(MapType::Sockhash, 4, 8, 4)) == 0);
    CHECK(create_errno(spec(MapType::Sockhash, 512, 8, 4)) == 0);
    CHECK(create_errno(spec(MapType::Sockhash, 513, 8, 4)) == -e::kE2BIG);
    CHECK(create_errno(spec(MapType::Sockhash, 0, 8, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Sockhash, 4, 16, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Sockhash, 4, 8, 0)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Sockhash, 4, 8, 4, map_flag::kNoPrealloc)) == -e::kEINVAL);
}

TEST_CASE("sockhash: updates, flags, a full map, lookups and deletes") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::Sockhash, 4, 8, 2, 0, "by_port"));
    CHECK(put(m, 80, kListener) == 0);
    CHECK(put(m, 40000, kEstablished) == 0);
    CHECK(put(m, 53, kUdp) == -e::kE2BIG);  // full: only replacements
    CHECK(put(m, 80, kUdp) == 0);
    CHECK(put(m, 80, kUdp, map_update::kNoExist) == -e::kEEXIST);
    CHECK(put(m, 53, kUdp, map_update::kExist) == -e::kENOENT);
    CHECK(put(m, 53, kSynSent) == -e::kEOPNOTSUPP);
    CHECK(put(m, 53, 77) == -e::kEBADF);
    CHECK(put(m, 53, kUdp, 4) == -e::kEINVAL);
    uint64_t cookie = 0;
    CHECK(get(m, 80, cookie) == 0);
    CHECK(cookie == kUdp);
    CHECK(get(m, 53, cookie) == -e::kENOENT);
    CHECK(m.delete_user(bytes(uint32_t(53))) == -e::kENOENT);
    CHECK(m.delete_user(bytes(uint32_t(80))) == 0);
    CHECK(m.count() == 1);
    CHECK(put(m, 53, kUdp) == 0);
}

TEST_CASE("sockhash: get_next_key walks jhash(key, key_size, 0)'s buckets in order, newest first in each") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::Sockhash, 4, 8, 8));
    const std::vector<uint32_t> keys = {5, 1, 9, 3, 7, 2};
    for (uint32_t k : keys) REQUIRE(put(m, k, kEstablished) == 0);
    auto bucket = [](uint32_t k) { return jhash(bytes(k).data(), 4, 0) & 7u; };
    // Within a bucket, the later insert comes first: order by (bucket, reverse insertion).
    std::vector<uint32_t> expected = keys;
    std::reverse(expected.begin(), expected.end());
    std::stable_sort(expected.begin(), expected.end(), [&](uint32_t a, uint32_t b) { return bucket(a) < bucket(b); });
    CHECK(walk(m) == expected);
    // A key that is not in the map restarts from the first bucket.
    std::vector<uint8_t> next(4);
    CHECK(m.get_next_key(bytes(uint32_t(1000)), next) == 0);
    CHECK(test::as<uint32_t>(next) == expected[0]);
    // Replacing a key moves it to the front of its bucket.
    REQUIRE(put(m, keys[0], kListener) == 0);
    std::vector<uint32_t> after = walk(m);
    const auto first_of_bucket = std::find_if(after.begin(), after.end(), [&](uint32_t k) { return bucket(k) == bucket(keys[0]); });
    CHECK(*first_of_bucket == keys[0]);
}

TEST_CASE("sockmap and sockhash: save_state / restore_state give back entries and order") {
    MapSet set;
    host_sockets(set);
    Map& h = add(set, spec(MapType::Sockhash, 4, 8, 4));
    Map& m = add(set, spec(MapType::Sockmap, 4, 8, 4));
    REQUIRE(put(h, 1, kEstablished) == 0);
    REQUIRE(put(m, 2, kUdp) == 0);
    std::vector<uint8_t> hs, ms;
    h.save_state(hs);
    m.save_state(ms);
    const std::vector<uint32_t> order = walk(h);
    REQUIRE(put(h, 2, kListener) == 0);
    REQUIRE(h.delete_user(bytes(uint32_t(1))) == 0);
    REQUIRE(m.delete_user(bytes(uint32_t(2))) == 0);
    h.restore_state(hs);
    m.restore_state(ms);
    CHECK(walk(h) == order);
    uint64_t cookie = 0;
    CHECK(get(h, 1, cookie) == 0);
    CHECK(cookie == kEstablished);
    CHECK(get(m, 2, cookie) == 0);
    CHECK(cookie == kUdp);
    CHECK(h.count() == 1);
}

TEST_CASE("reuseport_sockarray: created as an array with value 4 or 8") {
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 4, 8, 4)) == 0);
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 4, 4, 4)) == 0);
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 4, 16, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 8, 8, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 4, 8, 0)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 4, 8, 4, map_flag::kNoPrealloc)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::ReuseportSockarray, 4, 8, 4, map_flag::kMmapable)) == -e::kEINVAL);
}

TEST_CASE("reuseport_sockarray: SO_REUSEPORT sockets that are hashed, each in one array only") {
    MapSet set;
    host_sockets(set);
    Map& m = add(set, spec(MapType::ReuseportSockarray, 4, 8, 4, 0, "group"));
    Map& other = add(set, spec(MapType::ReuseportSockarray, 4, 8, 4, 0, "other"));
    CHECK(put(m, 0, kReuseListener) == 0);
    CHECK(put(m, 1, kReuseUdp) == 0);
    CHECK(put(m, 2, kListener) == -e::kEINVAL);        // no SO_REUSEPORT
    CHECK(put(m, 2, 99) == -e::kEBADF);
    CHECK(put(m, 2, kReuseListener) == -e::kEBUSY);    // already in a reuseport_sockarray
    CHECK(put(other, 0, kReuseListener) == -e::kEBUSY);
    CHECK(put(m, 0, kReuseUdp) == -e::kEBUSY);         // even at its own array's other index
    CHECK(put(m, 0, kReuseUdp, map_update::kNoExist) == -e::kEEXIST);
    CHECK(put(m, 2, kReuseUdp, map_update::kExist) == -e::kENOENT);
    CHECK(put(m, 4, kReuseUdp) == -e::kE2BIG);
    CHECK(put(m, 2, kReuseUdp, 3) == -e::kEINVAL);
    CHECK(put(m, 2, 0x80000000ull) == -e::kEINVAL);
    uint64_t cookie = 0;
    CHECK(get(m, 1, cookie) == 0);
    CHECK(cookie == kReuseUdp);
    CHECK(get(m, 2, cookie) == -e::kENOENT);
    CHECK(m.lookup_elem(bytes(uint32_t(0)), 0) == 0x1140);
    CHECK(walk(m) == std::vector<uint32_t>{0, 1, 2, 3});
    CHECK(m.delete_user(bytes(uint32_t(2))) == -e::kENOENT);
    CHECK(m.delete_user(bytes(uint32_t(4))) == -e::kE2BIG);
    CHECK(m.delete_user(bytes(uint32_t(0))) == 0);
    CHECK(put(other, 0, kReuseListener) == 0);  // free again
    Map& small = add(set, spec(MapType::ReuseportSockarray, 4, 4, 2));
    CHECK(small.update_user(bytes(uint32_t(0)), bytes(uint32_t(0xffffffff))) == -e::kEBADF);  // fd -1
    CHECK(get(small, 0, cookie) == -e::kENOSPC);
}

}  // namespace bpfplay
