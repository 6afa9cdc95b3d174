// BPF_MAP_CREATE validation: every refusal with the kernel's errno, in the kernel's order.
#include <cerrno>
#include <string>

#include "map_test_util.hpp"

#if defined(__linux__) && __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define BPFPLAY_HAVE_UAPI 1
#endif

namespace bpfplay {
namespace {

using test::create_errno;
using test::spec;
namespace e = kerrno;
namespace f = map_flag;

#ifdef BPFPLAY_HAVE_UAPI
static_assert(uint32_t(MapType::Hash) == BPF_MAP_TYPE_HASH);
static_assert(uint32_t(MapType::Array) == BPF_MAP_TYPE_ARRAY);
static_assert(uint32_t(MapType::ProgArray) == BPF_MAP_TYPE_PROG_ARRAY);
static_assert(uint32_t(MapType::PercpuHash) == BPF_MAP_TYPE_PERCPU_HASH);
static_assert(uint32_t(MapType::PercpuArray) == BPF_MAP_TYPE_PERCPU_ARRAY);
static_assert(uint32_t(MapType::LruHash) == BPF_MAP_TYPE_LRU_HASH);
static_assert(uint32_t(MapType::LruPercpuHash) == BPF_MAP_TYPE_LRU_PERCPU_HASH);
static_assert(uint32_t(MapType::ArrayOfMaps) == BPF_MAP_TYPE_ARRAY_OF_MAPS);
static_assert(uint32_t(MapType::HashOfMaps) == BPF_MAP_TYPE_HASH_OF_MAPS);
static_assert(uint32_t(MapType::Ringbuf) == BPF_MAP_TYPE_RINGBUF);
static_assert(uint32_t(MapType::UserRingbuf) == BPF_MAP_TYPE_USER_RINGBUF);
static_assert(map_update::kAny == BPF_ANY && map_update::kNoExist == BPF_NOEXIST && map_update::kExist == BPF_EXIST &&
              map_update::kLock == BPF_F_LOCK);
static_assert(f::kNoPrealloc == BPF_F_NO_PREALLOC && f::kNoCommonLru == BPF_F_NO_COMMON_LRU &&
              f::kNumaNode == BPF_F_NUMA_NODE && f::kRdonly == BPF_F_RDONLY && f::kWronly == BPF_F_WRONLY &&
              f::kStackBuildId == BPF_F_STACK_BUILD_ID && f::kZeroSeed == BPF_F_ZERO_SEED &&
              f::kRdonlyProg == BPF_F_RDONLY_PROG && f::kWronlyProg == BPF_F_WRONLY_PROG && f::kClone == BPF_F_CLONE &&
              f::kMmapable == BPF_F_MMAPABLE && f::kPreserveElems == BPF_F_PRESERVE_ELEMS &&
              f::kInnerMap == BPF_F_INNER_MAP);
#endif
#ifdef __linux__
static_assert(e::kEPERM == EPERM && e::kENOENT == ENOENT && e::kE2BIG == E2BIG && e::kEBADF == EBADF &&
              e::kENOMEM == ENOMEM && e::kEACCES == EACCES && e::kEBUSY == EBUSY && e::kEEXIST == EEXIST &&
              e::kEINVAL == EINVAL && e::kEOPNOTSUPP == EOPNOTSUPP);
#endif

TEST_CASE("map type names are libbpf's and round-trip") {
    CHECK(std::string(map_type_name(MapType::Hash)) == "hash");
    CHECK(std::string(map_type_name(MapType::LruPercpuHash)) == "lru_percpu_hash");
    CHECK(std::string(map_type_name(MapType::ArrayOfMaps)) == "array_of_maps");
    CHECK(std::string(map_type_name(MapType::Arena)) == "arena");
    CHECK(std::string(map_type_name(static_cast<MapType>(99))) == "unknown");
    for (uint32_t t = 0; t <= 33; ++t) {
        auto back = map_type_from_name(map_type_name(static_cast<MapType>(t)));
        REQUIRE(back.has_value());
        CHECK(uint32_t(*back) == t);
    }
    CHECK_FALSE(map_type_from_name("hashmap").has_value());
    CHECK(errno_name(-2) == "-ENOENT");
    CHECK(errno_name(-524) == "-ENOTSUPP");
    CHECK(errno_name(-1000) == "-1000");
}

TEST_CASE("valid specs of every supported type are accepted") {
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16)) == 0);
    CHECK(create_errno(spec(MapType::Array, 4, 8, 16)) == 0);
    CHECK(create_errno(spec(MapType::PercpuHash, 8, 16, 16)) == 0);
    CHECK(create_errno(spec(MapType::PercpuArray, 4, 3, 16)) == 0);
    CHECK(create_errno(spec(MapType::LruHash, 4, 8, 16)) == 0);
    CHECK(create_errno(spec(MapType::LruPercpuHash, 4, 8, 16)) == 0);
    CHECK(create_errno(spec(MapType::ProgArray, 4, 4, 16)) == 0);
    MapSpec outer = spec(MapType::ArrayOfMaps, 4, 4, 4);
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 8, 1));
    CHECK(create_errno(outer) == 0);
    outer.type = MapType::HashOfMaps;
    CHECK(create_errno(outer) == 0);
    // Accepted flags: NO_PREALLOC on hashes (still preallocated), ZERO_SEED, MMAPABLE/INNER_MAP on arrays.
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, f::kNoPrealloc)) == 0);
    CHECK(create_errno(spec(MapType::PercpuHash, 4, 8, 16, f::kNoPrealloc | f::kZeroSeed)) == 0);
    CHECK(create_errno(spec(MapType::Array, 4, 8, 16, f::kMmapable | f::kRdonlyProg)) == 0);
    CHECK(create_errno(spec(MapType::Array, 4, 8, 16, f::kInnerMap | f::kNumaNode)) == 0);
    CHECK(create_errno(spec(MapType::LruHash, 4, 8, 16, f::kNoCommonLru)) == 0);
}

TEST_CASE("zero sizes and max_entries 0 are -EINVAL with a clear message") {
    auto check = [](const MapSpec& s, const char* words) {
        auto problem = check_map_spec(s);
        REQUIRE(problem.has_value());
        CHECK(problem->code == -e::kEINVAL);
        CHECK(problem->error.kind == ErrorKind::Map);
        CHECK(problem->error.where.map == s.name);
        CHECK(problem->error.what.rfind("-EINVAL: ", 0) == 0);
        CHECK_MESSAGE(problem->error.what.find(words) != std::string::npos, problem->error.what);
    };
    check(spec(MapType::Hash, 0, 8, 16, 0, "counts"), "key_size 0");
    check(spec(MapType::Hash, 4, 0, 16, 0, "counts"), "value_size 0");
    check(spec(MapType::Hash, 4, 8, 0, 0, "counts"), "max_entries 0");
    check(spec(MapType::Array, 4, 0, 16), "value_size 0");
    check(spec(MapType::Array, 4, 8, 0), "max_entries 0");
    check(spec(MapType::Array, 8, 8, 16), "key_size must be 4");
    check(spec(MapType::PercpuArray, 2, 8, 16), "key_size must be 4");
}

TEST_CASE("flags: unknown, conflicting and misplaced flags") {
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, f::kMmapable)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, f::kInnerMap)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, 1u << 20)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Array, 4, 8, 16, f::kNoPrealloc)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Array, 4, 8, 16, f::kPreserveElems)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::PercpuArray, 4, 8, 16, f::kMmapable)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::PercpuArray, 4, 8, 16, f::kNumaNode)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::PercpuHash, 4, 8, 16, f::kNumaNode)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::LruHash, 4, 8, 16, f::kNoCommonLru | f::kNumaNode)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, f::kNumaNode)) == 0);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, f::kRdonly | f::kWronly)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Array, 4, 8, 16, f::kRdonlyProg | f::kWronlyProg)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, f::kNoCommonLru)) == -e::kEINVAL);
    // LRU maps cannot be allocated on demand: the kernel's internal ENOTSUPP (524).
    CHECK(create_errno(spec(MapType::LruHash, 4, 8, 16, f::kNoPrealloc)) == -e::kENOTSUPP);
    CHECK(create_errno(spec(MapType::LruPercpuHash, 4, 8, 16, f::kNoPrealloc)) == -e::kENOTSUPP);

    auto problem = check_map_spec(spec(MapType::Hash, 4, 8, 16, f::kMmapable | f::kClone));
    REQUIRE(problem);
    CHECK(problem->error.what.find("BPF_F_CLONE | BPF_F_MMAPABLE") != std::string::npos);
}

TEST_CASE("value size limits: -E2BIG") {
    // Per-CPU values are bounded by PCPU_MIN_UNIT_SIZE after rounding up to 8.
    MapSpec pcpu = spec(MapType::PercpuArray, 4, 32768, 1);
    CHECK(create_errno(pcpu) == 0);
    pcpu.value_size = 32761;  // rounds up to 32768: fine
    CHECK(create_errno(pcpu) == 0);
    pcpu.value_size = 32769;
    CHECK(create_errno(pcpu) == -e::kE2BIG);
    pcpu.type = MapType::PercpuHash;
    CHECK(create_errno(pcpu) == -e::kE2BIG);
    // Hash: key + value must stay under KMALLOC_MAX_SIZE (4 MiB) minus the 48-byte element header.
    CHECK(create_errno(spec(MapType::Hash, 8, (4u << 20) - 48 - 8, 1)) == -e::kE2BIG);
    CHECK(create_errno(spec(MapType::Hash, 8, (4u << 20) - 48 - 9, 1)) == 0);
    // Arrays: value_size above INT_MAX.
    CHECK(create_errno(spec(MapType::Array, 4, 0x80000000u, 1)) == -e::kE2BIG);
    // Hash tables hold at most 2^31 entries.
    CHECK(create_errno(spec(MapType::Hash, 4, 8, (1u << 31) + 1)) == -e::kE2BIG);
}

TEST_CASE("maps of programs and maps: value_size 4, inner map rules") {
    CHECK(create_errno(spec(MapType::ProgArray, 4, 8, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::ProgArray, 4, 4, 4, f::kRdonlyProg)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::ProgArray, 8, 4, 4)) == -e::kEINVAL);

    MapSpec outer = spec(MapType::ArrayOfMaps, 4, 4, 4, 0, "outer");
    auto problem = check_map_spec(outer);
    REQUIRE(problem);
    CHECK(problem->code == -e::kEBADF);
    CHECK(problem->error.what.find("inner map") != std::string::npos);

    outer.inner = std::make_shared<MapSpec>(spec(MapType::ProgArray, 4, 4, 4));
    CHECK(create_errno(outer) == -e::kENOTSUPP);
    MapSpec nested = spec(MapType::ArrayOfMaps, 4, 4, 4);
    nested.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 4, 4));
    outer.inner = std::make_shared<MapSpec>(nested);
    CHECK(create_errno(outer) == -e::kEINVAL);
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Hash, 0, 4, 4));
    problem = check_map_spec(outer);
    REQUIRE(problem);
    CHECK(problem->code == -e::kEINVAL);
    CHECK(problem->error.what.find("inner map template") != std::string::npos);

    MapSpec hoh = spec(MapType::HashOfMaps, 4, 8, 4);
    hoh.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 4, 4));
    CHECK(create_errno(hoh) == -e::kEINVAL);
}

TEST_CASE("names, CPU counts and unsupported types") {
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, 0, "my.map_2")) == 0);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 16, 0, "a_name_longer_than_fifteen_chars")) == 0);
    auto problem = check_map_spec(spec(MapType::Hash, 4, 8, 16, 0, "my-map"));
    REQUIRE(problem);
    CHECK(problem->code == -e::kEINVAL);
    CHECK(problem->error.what.find("'-'") != std::string::npos);

    MapSpec s = spec(MapType::PercpuArray, 4, 8, 16);
    s.ncpus = 0;
    CHECK(create_errno(s) == -e::kEINVAL);
    s.ncpus = kMaxCpus + 1;
    CHECK(create_errno(s) == -e::kEINVAL);
    s.ncpus = kMaxCpus;
    CHECK(create_errno(s) == 0);

    CHECK_FALSE(check_map_spec(spec(MapType::Ringbuf, 0, 0, 4096, 0, "rb")));
    CHECK_FALSE(check_map_spec(spec(MapType::UserRingbuf, 0, 0, 4096, 0, "urb")));
    problem = check_map_spec(spec(MapType::Arena, 0, 0, 16, 0, "pages"));
    REQUIRE(problem);
    CHECK(problem->code == -e::kEINVAL);
    CHECK(problem->error.what.find("does not implement arena") != std::string::npos);
    CHECK(create_errno(spec(MapType::Unspec, 4, 4, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(static_cast<MapType>(200), 4, 4, 4)) == -e::kEINVAL);
}

TEST_CASE("maps above the 64 MiB memory limit are -ENOMEM, with how many entries fit") {
    // 1G entries x 8 bytes = 8 GiB: more than a map's 4 GiB address window, so it cannot even be
    // an array that takes memory where it is written.
    auto problem = check_map_spec(spec(MapType::Array, 4, 8, 1u << 30, 0, "big"));
    REQUIRE(problem);
    CHECK(problem->code == -e::kENOMEM);
    CHECK(problem->error.what.find("8192.0 MiB") != std::string::npos);
    CHECK(problem->error.what.find("64.0 MiB") != std::string::npos);
    CHECK(problem->error.hint.find("about 8388608 fit") != std::string::npos);
    // 16M entries x 8 bytes = 128 MiB: created, its memory taken where it is written
    // (growing_hash_test.cpp); so are per-CPU arrays of 1M x 8 bytes on 16 CPUs.
    CHECK(create_errno(spec(MapType::Array, 4, 8, 1u << 24)) == 0);
    MapSpec pcpu = spec(MapType::PercpuArray, 4, 8, 1u << 20);
    pcpu.ncpus = 16;
    CHECK(create_errno(pcpu) == 0);
    // A BPF_F_MMAPABLE array is one buffer user space maps: allocated at creation, refused.
    CHECK(create_errno(spec(MapType::Array, 4, 8, 1u << 24, map_flag::kMmapable)) == -e::kENOMEM);
    // Hash maps grow with their entries: 1M entries of 64-byte keys and values (about 200 MiB
    // preallocated) are created, and take memory as entries arrive (growing_hash_test.cpp) ...
    CHECK(create_errno(spec(MapType::Hash, 64, 64, 1u << 20)) == 0);
    CHECK(create_errno(spec(MapType::Hash, 4, 8, 1u << 20)) == 0);
    // ... unless their values cannot fit the map's 4 GiB address window (1M x 8 KiB values).
    CHECK(create_errno(spec(MapType::Hash, 4, 8192, 1u << 20)) == -e::kENOMEM);
}

TEST_CASE("create_map reports the errno first, and builds every supported type") {
    auto bad = create_map(spec(MapType::Array, 4, 8, 0, 0, "arr"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Map);
    CHECK(bad.error().where.map == "arr");
    CHECK(bad.error().to_string().rfind("map \"arr\": -EINVAL: ", 0) == 0);

    for (MapType t : {MapType::Hash, MapType::Array, MapType::PercpuHash, MapType::PercpuArray, MapType::LruHash,
                      MapType::LruPercpuHash, MapType::ProgArray}) {
        auto m = create_map(spec(t, 4, 4, 8));
        REQUIRE(m.ok());
        CHECK(m.value()->type() == t);
        CHECK(m.value()->id() == Map::kNoId);
        CHECK(m.value()->handle() == 0);
    }
    // BPF_F_NO_COMMON_LRU gives every CPU the same share: max_entries rounds up to a multiple.
    auto lru = create_map(spec(MapType::LruHash, 4, 8, 5, f::kNoCommonLru));
    REQUIRE(lru.ok());
    CHECK(lru.value()->max_entries() == 8);
}

}  // namespace
}  // namespace bpfplay
