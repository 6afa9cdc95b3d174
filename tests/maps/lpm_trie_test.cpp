// BPF_MAP_TYPE_LPM_TRIE: creation checks, longest-prefix lookups, update flags, -ENOSPC with
// intermediate nodes, exact deletes and get_next_key's post-order -- every expectation is what
// Linux 6.18 answered to the same bpf(2) calls (a libbpf program on an 8-byte key: u32
// prefixlen + an IPv4 address, u32 values).
#include <cstring>
#include <string>

#include "core/maps/lpm_trie_map.hpp"
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace f = map_flag;
namespace u = map_update;

MapSpec trie(uint32_t max_entries, uint32_t key_size = 8, uint32_t value_size = 4,
             uint32_t flags = f::kNoPrealloc) {
    return spec(MapType::LpmTrie, key_size, value_size, max_entries, flags, "routes");
}

std::unique_ptr<Map> make(const MapSpec& s) {
    auto m = create_map(s);
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? std::string() : m.error().to_string()));
    return std::move(m.value());
}

// struct { __u32 prefixlen; __u8 addr[4]; }
std::vector<uint8_t> K(uint32_t plen, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    // Built at full size up front: GCC 12 -O3 warns (-Warray-bounds) on insert into a 4-byte vector.
    std::vector<uint8_t> k(8);
    std::memcpy(k.data(), &plen, 4);
    k[4] = a; k[5] = b; k[6] = c; k[7] = d;
    return k;
}

int64_t up(Map& m, const std::vector<uint8_t>& key, uint32_t v, uint64_t flags = u::kAny) {
    return m.update_user(key, bytes(v), flags);
}

std::string text(const std::vector<uint8_t>& k) {
    return std::to_string(k[4]) + "." + std::to_string(k[5]) + "." + std::to_string(k[6]) + "." +
           std::to_string(k[7]) + "/" + std::to_string(as<uint32_t>(k));
}

// get_next_key from NULL to -ENOENT, each key with its value ("192.168.0.0/24=2").
std::vector<std::string> walk(Map& m) {
    std::vector<std::string> out;
    std::vector<uint8_t> key(8), prev;
    while (m.get_next_key(prev, key) == 0 && out.size() < 100) {
        std::vector<uint8_t> v(4);
        REQUIRE(m.lookup_user(key, v) == 0);
        out.push_back(text(key) + "=" + std::to_string(as<uint32_t>(v)));
        prev = key;
    }
    return out;
}

// A user-space lookup: the value, or the errno as a negative number.
int64_t look(Map& m, const std::vector<uint8_t>& key) {
    std::vector<uint8_t> v(4);
    const int64_t rc = m.lookup_user(key, v);
    return rc ? rc : int64_t(as<uint32_t>(v));
}

std::string next_of(Map& m, const std::vector<uint8_t>& key) {
    std::vector<uint8_t> next(8);
    const int64_t rc = m.get_next_key(key, next);
    return rc ? errno_name(rc) : text(next);
}

TEST_CASE("lpm trie: creation is refused as the kernel refuses it") {
    CHECK(create_errno(trie(4)) == 0);
    CHECK(create_errno(trie(4, 8, 4, 0)) == -e::kEINVAL); // BPF_F_NO_PREALLOC is required
    CHECK(create_errno(trie(4, 4)) == -e::kEINVAL);       // no data byte
    CHECK(create_errno(trie(4, 5)) == 0);
    CHECK(create_errno(trie(4, 260)) == 0);
    CHECK(create_errno(trie(4, 261)) == -e::kEINVAL);
    CHECK(create_errno(trie(4, 8, 0)) == -e::kEINVAL);
    CHECK(create_errno(trie(0)) == -e::kEINVAL);
    CHECK(create_errno(trie(4, 8, 4194024)) == 0); // KMALLOC_MAX_SIZE - 256 - sizeof(lpm_trie_node)
    CHECK(create_errno(trie(4, 8, 4194025)) == -e::kEINVAL);
    CHECK(create_errno(trie(4, 8, 4, f::kNoPrealloc | f::kNumaNode)) == 0);
    CHECK(create_errno(trie(4, 8, 4, f::kNoPrealloc | f::kZeroSeed)) == -e::kEINVAL);
    CHECK(create_errno(trie(4, 8, 4, f::kNoPrealloc | f::kRdonlyProg)) == 0);
    CHECK(create_errno(trie(4, 8, 4, f::kNoPrealloc | f::kRdonlyProg | f::kWronlyProg)) == -e::kEINVAL);
    CHECK(create_errno(trie(4, 4, 4, 0)) == -e::kEINVAL);
    // The kernel allocates nodes as they come and accepts any max_entries; bpfplay preallocates
    // within its per-map limit.
    CHECK(create_errno(trie(UINT32_MAX)) == -e::kENOMEM);
    auto problem = check_map_spec(trie(4, 8, 4, 0));
    REQUIRE(problem.has_value());
    CHECK(problem->error.what ==
          "-EINVAL: lpm_trie map \"routes\" lacks BPF_F_NO_PREALLOC: the kernel allocates trie "
          "nodes as prefixes are added and insists on that flag");
    CHECK(problem->error.hint == "Add __uint(map_flags, BPF_F_NO_PREALLOC).");
}

TEST_CASE("lpm trie: a full trie refuses new prefixes, replaces existing ones, honours the flags") {
    auto m = make(trie(3));
    std::vector<uint8_t> next(8);
    CHECK(m->get_next_key({}, next) == -e::kENOENT); // empty
    CHECK(up(*m, K(16, 192, 168, 0, 0), 1) == 0);
    CHECK(up(*m, K(24, 192, 168, 0, 0), 2) == 0);
    CHECK(up(*m, K(24, 192, 168, 128, 0), 3) == 0);
    CHECK(walk(*m) == std::vector<std::string>{"192.168.0.0/24=2", "192.168.128.0/24=3", "192.168.0.0/16=1"});
    CHECK(up(*m, K(24, 192, 168, 1, 0), 5) == -e::kENOSPC);
    CHECK(up(*m, K(24, 192, 168, 0, 0), 22) == 0); // replacing needs no room
    CHECK(up(*m, K(24, 192, 168, 0, 0), 23, u::kExist) == 0);
    CHECK(up(*m, K(24, 192, 168, 0, 0), 24, u::kNoExist) == -e::kEEXIST);
    CHECK(up(*m, K(8, 10, 0, 0, 0), 24, u::kExist) == -e::kENOENT);
    CHECK(up(*m, K(8, 10, 0, 0, 0), 24, 3) == -e::kEINVAL);
    CHECK(up(*m, K(8, 10, 0, 0, 0), 24, u::kLock) == -e::kEINVAL);
    CHECK(up(*m, K(33, 10, 0, 0, 0), 24) == -e::kEINVAL); // prefixlen past the data
    CHECK(look(*m, K(32, 192, 168, 0, 9)) == 23);
    CHECK(m->delete_user(K(24, 192, 168, 0, 0)) == 0);
    CHECK(m->delete_user(K(24, 192, 168, 0, 0)) == -e::kENOENT);
    CHECK(m->delete_user(K(33, 192, 168, 0, 0)) == -e::kEINVAL);
    CHECK(m->delete_user(K(17, 192, 168, 0, 0)) == -e::kENOENT); // only exact prefixes
    CHECK(m->delete_user(K(16, 192, 168, 5, 0)) == 0);           // bits past the prefix do not matter
    CHECK(up(*m, K(24, 192, 168, 0, 0), 2) == 0);
    CHECK(up(*m, K(24, 192, 168, 1, 0), 5) == 0);
    CHECK(m->count() == 3);
}

TEST_CASE("lpm trie: lookups return the longest matching prefix; walks are post-order") {
    // The example at the top of kernel/bpf/lpm_trie.c: 192.168.0.0/23 is an intermediate node.
    auto m = make(trie(100));
    auto& t = static_cast<LpmTrieMap&>(*m);
    REQUIRE(up(*m, K(16, 192, 168, 0, 0), 1) == 0);
    REQUIRE(up(*m, K(24, 192, 168, 0, 0), 2) == 0);
    REQUIRE(up(*m, K(24, 192, 168, 128, 0), 3) == 0);
    REQUIRE(up(*m, K(24, 192, 168, 1, 0), 5) == 0);
    CHECK(t.node_count() == 5);
    CHECK(t.intermediate_count() == 1);
    CHECK(walk(*m) == std::vector<std::string>{"192.168.0.0/24=2", "192.168.1.0/24=5", "192.168.128.0/24=3",
                                               "192.168.0.0/16=1"});
    CHECK(look(*m, K(32, 192, 168, 1, 77)) == 5);
    CHECK(look(*m, K(32, 192, 168, 2, 77)) == 1);
    CHECK(look(*m, K(32, 10, 168, 2, 77)) == -e::kENOENT);
    CHECK(look(*m, K(33, 192, 168, 2, 77)) == -e::kENOENT);
    CHECK(look(*m, K(23, 192, 168, 1, 77)) == 1); // a /23 key is only covered by the /16
    CHECK(look(*m, K(16, 192, 168, 1, 77)) == 1);
    CHECK(look(*m, K(15, 192, 168, 1, 77)) == -e::kENOENT);

    // Adding the intermediate node's own prefix makes it a real entry; deleting turns it back.
    CHECK(up(*m, K(23, 192, 168, 0, 0), 7) == 0);
    CHECK(t.intermediate_count() == 0);
    CHECK(walk(*m) == std::vector<std::string>{"192.168.0.0/24=2", "192.168.1.0/24=5", "192.168.0.0/23=7",
                                               "192.168.128.0/24=3", "192.168.0.0/16=1"});
    CHECK(m->delete_user(K(23, 192, 168, 0, 0)) == 0);
    CHECK(t.intermediate_count() == 1);
    CHECK(walk(*m) == std::vector<std::string>{"192.168.0.0/24=2", "192.168.1.0/24=5", "192.168.128.0/24=3",
                                               "192.168.0.0/16=1"});

    // The data past a prefix is kept as given; a /0 matches everything.
    CHECK(up(*m, K(8, 10, 1, 2, 3), 8) == 0);
    CHECK(up(*m, K(0, 1, 2, 3, 4), 9) == 0);
    CHECK(up(*m, K(9, 10, 200, 0, 0), 10) == 0);
    CHECK(up(*m, K(32, 10, 1, 2, 3), 11) == 0);
    CHECK(walk(*m) == std::vector<std::string>{"10.1.2.3/32=11", "10.200.0.0/9=10", "10.1.2.3/8=8",
                                               "192.168.0.0/24=2", "192.168.1.0/24=5", "192.168.128.0/24=3",
                                               "192.168.0.0/16=1", "1.2.3.4/0=9"});
    CHECK(look(*m, K(32, 11, 1, 1, 1)) == 9);
    CHECK(look(*m, K(32, 10, 1, 2, 3)) == 11);
    CHECK(look(*m, K(32, 10, 1, 2, 4)) == 8);
    CHECK(look(*m, K(0, 10, 1, 2, 4)) == 9);
    // Replacing an entry replaces its data too.
    CHECK(up(*m, K(8, 10, 9, 9, 9), 12) == 0);
    CHECK(walk(*m)[2] == "10.9.9.9/8=12");

    // get_next_key from keys that are not entries restarts; after the last: -ENOENT.
    CHECK(next_of(*m, K(23, 192, 168, 0, 0)) == "10.1.2.3/32");       // an intermediate node
    CHECK(next_of(*m, K(20, 192, 168, 0, 0)) == "10.1.2.3/32");       // no such entry
    CHECK(next_of(*m, K(40, 192, 168, 0, 0)) == "10.1.2.3/32");       // prefixlen too long
    CHECK(next_of(*m, K(24, 192, 168, 1, 99)) == "192.168.128.0/24"); // bits past /24 ignored
    CHECK(next_of(*m, K(0, 0, 0, 0, 0)) == "-ENOENT");                // the root, last in post-order
    std::vector<uint8_t> v(4);
    CHECK(m->lookup_and_delete_user(K(8, 10, 0, 0, 0), v) == -e::kENOTSUPP);
    CHECK(m->lookup_user(K(8, 10, 0, 0, 0), v, u::kLock) == -e::kEINVAL);
    // entries() lists the same order as the walk.
    auto entries = m->entries();
    REQUIRE(entries.size() == 8);
    CHECK(entries[0].label == "10.1.2.3/32");
    CHECK(entries[7].label == "1.2.3.4/0");
    CHECK(m->key_of_slot(entries[3].slot) == K(24, 192, 168, 0, 0));
}

// struct { __u32 prefixlen; __u8 addr[16]; } from 32 hex digits.
std::vector<uint8_t> K6(uint32_t plen, const char* hex32) {
    std::vector<uint8_t> k = bytes(plen);
    for (int i = 0; i < 16; ++i)
        k.push_back(uint8_t(std::stoul(std::string(hex32 + 2 * i, 2), nullptr, 16)));
    return k;
}

TEST_CASE("lpm trie: IPv6 prefixes match across 8-byte words as in the kernel") {
    // Linux 6.18, key_size 20: the same updates, lookups (prefixlen 128) and walk.
    auto m = make(trie(16, 20));
    auto& t = static_cast<LpmTrieMap&>(*m);
    CHECK(up(*m, K6(32, "20010db8000000000000000000000000"), 1) == 0);
    CHECK(up(*m, K6(64, "20010db8000000000000000000000000"), 2) == 0);
    CHECK(up(*m, K6(65, "20010db8000000008000000000000000"), 3) == 0);
    CHECK(up(*m, K6(128, "20010db8000000008000000000000001"), 4) == 0);
    CHECK(up(*m, K6(127, "20010db8000000000000000000000002"), 5) == 0);
    CHECK(up(*m, K6(10, "fe800000000000000000000000000000"), 6) == 0);
    auto find6 = [&](const char* hex) {
        std::vector<uint8_t> v(4);
        const int64_t rc = m->lookup_user(K6(128, hex), v);
        return rc ? rc : int64_t(as<uint32_t>(v));
    };
    CHECK(find6("20010db8000000008000000000000001") == 4);
    CHECK(find6("20010db8000000008000000000000000") == 3);
    CHECK(find6("20010db8000000004000000000000000") == 2);
    CHECK(find6("20010db8000000010000000000000000") == 1);
    CHECK(find6("20010db8000000000000000000000003") == 5);
    CHECK(find6("20010db9000000000000000000000000") == -e::kENOENT);
    CHECK(find6("febf0000000000000000000000000000") == 6);
    CHECK(find6("fec00000000000000000000000000000") == -e::kENOENT);
    std::vector<std::string> walked;
    for (const MapEntry& entry : m->entries())
        walked.push_back(entry.label);
    CHECK(walked == std::vector<std::string>{"2001:db8::2/127", "2001:db8::8000:0:0:1/128",
                                             "2001:db8:0:0:8000::/65", "2001:db8::/64", "2001:db8::/32",
                                             "fe80::/10"});
    CHECK(t.prefix_text(K6(65, "20010db8000000008000000000000000")) == "2001:db8:0:0:8000::/65");
}

TEST_CASE("lpm trie: intermediate nodes do not count against max_entries") {
    auto m = make(trie(2));
    auto& t = static_cast<LpmTrieMap&>(*m);
    CHECK(up(*m, K(24, 10, 0, 0, 0), 1) == 0);
    CHECK(up(*m, K(24, 10, 0, 1, 0), 2) == 0); // adds an intermediate 10.0.0.0/23
    CHECK(t.node_count() == 3);
    CHECK(m->count() == 2);
    // Filling the intermediate node would be a third entry.
    CHECK(up(*m, K(23, 10, 0, 0, 0), 3) == -e::kENOSPC);
    CHECK(up(*m, K(23, 10, 0, 0, 0), 3, u::kExist) == -e::kENOENT);
    CHECK(up(*m, K(23, 10, 0, 0, 0), 3, u::kNoExist) == -e::kENOSPC);
    CHECK(m->delete_user(K(24, 10, 0, 0, 0)) == 0); // the intermediate node goes with it
    CHECK(t.node_count() == 1);
    CHECK(up(*m, K(23, 10, 0, 0, 0), 3) == 0);
    CHECK(walk(*m) == std::vector<std::string>{"10.0.1.0/24=2", "10.0.0.0/23=3"});
}

TEST_CASE("lpm trie: a program's lookup points into the map; a replaced value keeps its old bytes") {
    MapSet set;
    Map& m = add(set, trie(4, 8, 8));
    REQUIRE(m.update_user(K(8, 10, 0, 0, 0), bytes(uint64_t(100))) == 0);
    const uint64_t p = m.lookup_elem(K(32, 10, 1, 2, 3), 0);
    REQUIRE(p != 0);
    CHECK(read_u64(set, p) == 100);
    write_u64(set, p, 101); // a program writing through the pointer changes the entry
    std::vector<uint8_t> v(8);
    REQUIRE(m.lookup_user(K(8, 10, 0, 0, 0), v) == 0);
    CHECK(as<uint64_t>(v) == 101);
    // The kernel puts a new node in place and frees the old one after the program: the old
    // pointer still reads the old value.
    REQUIRE(m.update_elem(K(8, 10, 0, 0, 0), bytes(uint64_t(200)), u::kAny, 0) == 0);
    CHECK(read_u64(set, p) == 101);
    const uint64_t p2 = m.lookup_elem(K(32, 10, 9, 9, 9), 0);
    CHECK(p2 != p);
    CHECK(read_u64(set, p2) == 200);
    CHECK(m.lookup_elem(K(32, 11, 0, 0, 0), 0) == 0);
    CHECK(m.delete_elem(K(8, 10, 0, 0, 0)) == 0);
    CHECK(m.lookup_elem(K(32, 10, 9, 9, 9), 0) == 0);
}

TEST_CASE("lpm trie: entries are labelled as prefixes") {
    auto v4 = make(trie(4));
    auto& t4 = static_cast<LpmTrieMap&>(*v4);
    CHECK(t4.prefix_text(K(24, 192, 168, 1, 0)) == "192.168.1.0/24");
    std::vector<uint8_t> k6 = bytes(uint32_t(32));
    const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    k6.insert(k6.end(), a6, a6 + 16);
    auto v6 = make(trie(4, 20));
    auto& t6 = static_cast<LpmTrieMap&>(*v6);
    CHECK(t6.prefix_text(k6) == "2001:db8::1/32");
    k6[4 + 15] = 0;
    CHECK(t6.prefix_text(k6) == "2001:db8::/32");
    std::fill(k6.begin() + 4, k6.end(), 0);
    CHECK(t6.prefix_text(k6) == "::/32");
    const uint8_t a6b[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2};
    std::copy(a6b, a6b + 16, k6.begin() + 4);
    CHECK(t6.prefix_text(k6) == "fe80::1:0:0:2/32"); // the longest zero run
    const uint8_t a6c[16] = {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1};
    std::copy(a6c, a6c + 16, k6.begin() + 4);
    CHECK(t6.prefix_text(k6) == "1::1:0:0:1:1/32"); // the first of two equal ones
    auto other = make(trie(4, 7));
    std::vector<uint8_t> k3 = bytes(uint32_t(20));
    k3.insert(k3.end(), {0x0a, 0x0b, 0x0c});
    CHECK(static_cast<LpmTrieMap&>(*other).prefix_text(k3) == "0x0a0b0c/20");
}

TEST_CASE("lpm trie: restore_state brings back the trie, its values and its free lists") {
    auto m = make(trie(3));
    REQUIRE(up(*m, K(16, 192, 168, 0, 0), 1) == 0);
    REQUIRE(up(*m, K(24, 192, 168, 0, 0), 2) == 0);
    std::vector<uint8_t> saved;
    m->save_state(saved);
    REQUIRE(up(*m, K(24, 192, 168, 1, 0), 3) == 0);
    REQUIRE(m->delete_user(K(16, 192, 168, 0, 0)) == 0);
    REQUIRE(up(*m, K(24, 192, 168, 0, 0), 4) == 0);
    std::vector<uint8_t> changed;
    m->save_state(changed);
    CHECK(changed.size() == saved.size());
    m->restore_state(saved);
    CHECK(walk(*m) == std::vector<std::string>{"192.168.0.0/24=2", "192.168.0.0/16=1"});
    CHECK(up(*m, K(24, 192, 168, 1, 0), 3) == 0);
    CHECK(up(*m, K(8, 10, 0, 0, 0), 3) == -e::kENOSPC);
}

} // namespace
} // namespace bpfplay
