// The map type table (core/maps/map_types.hpp): one row per kernel map type, in order, and each
// implemented type's check, footprint and factory defined together.
#include <doctest/doctest.h>

#include <string>

#include "core/maps/map_types.hpp"
#include "maps/map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;

TEST_CASE("the map type table has one row per kernel map type, numbered as the kernel numbers them") {
    const auto types = map_types();
    REQUIRE(types.size() == 34);
    for (size_t i = 0; i < types.size(); ++i) {
        CAPTURE(i);
        CHECK(size_t(types[i].type) == i);
        CHECK(std::string(types[i].name) == map_type_name(MapType(i)));
        CHECK_FALSE(std::string(types[i].summary).empty());
        // An implemented type has all three of its functions; a missing one has none.
        const bool implemented = types[i].alloc_check != nullptr;
        CHECK((types[i].footprint != nullptr) == implemented);
        CHECK((types[i].make != nullptr) == implemented);
        CHECK(map_type_supported(MapType(i)) == implemented);
        if (types[i].program_access != ProgramMapAccess::ReadWrite)
            CHECK_FALSE(std::string(types[i].program_hint).empty());
    }
    CHECK(map_type_info(MapType(34)) == nullptr);
    size_t implemented = 0;
    for (const MapTypeInfo& t : types)
        implemented += t.alloc_check != nullptr;
    CHECK(implemented == 32);
}

TEST_CASE("traits: per-CPU, LRU and index-keyed types") {
    CHECK(map_type_info(MapType::PercpuArray)->percpu);
    CHECK(map_type_info(MapType::LruPercpuHash)->percpu);
    CHECK(map_type_info(MapType::LruPercpuHash)->lru);
    CHECK_FALSE(map_type_info(MapType::Hash)->lru);
    CHECK(map_type_info(MapType::ProgArray)->index_keys);
    CHECK_FALSE(map_type_info(MapType::DevmapHash)->index_keys);
}

TEST_CASE("a type bpfplay lacks is refused by name, listing the types it has") {
    auto problem = check_map_spec(spec(MapType::Arena, 0, 0, 16, 0, "pages"));
    REQUIRE(problem);
    CHECK(problem->code == -kerrno::kEINVAL);
    CHECK(problem->error.what == "-EINVAL: bpfplay does not implement arena maps yet (map \"pages\")");
    CHECK(
        problem->error.hint ==
        "Supported: hash, array, prog_array, perf_event_array, percpu_hash, percpu_array, stack_trace, "
        "cgroup_array, lru_hash, "
        "lru_percpu_hash, lpm_trie, array_of_maps, hash_of_maps, devmap, sockmap, cpumap, xskmap, sockhash, cgroup_storage, reuseport_sockarray, "
        "percpu_cgroup_storage, "
        "queue, stack, sk_storage, devmap_hash, struct_ops, ringbuf, inode_storage, task_storage, bloom_filter, user_ringbuf, "
        "cgrp_storage.");
}

TEST_CASE("every implemented type is created by its own factory") {
    MapSpec lru = spec(MapType::LruHash, 4, 8, 16);
    auto made = create_map(lru);
    REQUIRE(made.ok());
    CHECK(made.value()->type() == MapType::LruHash);
    MapSpec devhash = spec(MapType::DevmapHash, 4, 4, 16);
    made = create_map(devhash);
    REQUIRE(made.ok());
    CHECK((made.value()->map_flags() & map_flag::kRdonlyProg) != 0); // programs only read devmaps
}

} // namespace
} // namespace bpfplay
