// BPF_MAP_TYPE_DEVMAP and DEVMAP_HASH: dev_map_init_map's checks, __dev_map_update_elem's
// rules, and the entries bpf_redirect_map finds.
#include <doctest/doctest.h>

#include "core/maps/dev_map.hpp"
#include "maps/map_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;
namespace f = map_flag;

TEST_CASE("a devmap takes u32 keys and a 4- or 8-byte value, and becomes read-only for programs") {
    for (MapType t : {MapType::Devmap, MapType::DevmapHash}) {
        CAPTURE(int(t));
        CHECK(create_errno(spec(t, 4, 4, 8)) == 0);
        CHECK(create_errno(spec(t, 4, 8, 8)) == 0);
        CHECK(create_errno(spec(t, 4, 8, 8, f::kNumaNode | f::kRdonly)) == 0);
        CHECK(create_errno(spec(t, 8, 4, 8)) == -22);
        CHECK(create_errno(spec(t, 4, 12, 8)) == -22);
        CHECK(create_errno(spec(t, 4, 4, 0)) == -22);
        CHECK(create_errno(spec(t, 4, 4, 8, f::kRdonlyProg)) == -22);
        MapSet set;
        CHECK(add(set, spec(t, 4, 4, 8)).map_flags() == f::kRdonlyProg);
    }
    auto problem = check_map_spec(spec(MapType::Devmap, 4, 6, 8, 0, "tx_ports"));
    REQUIRE(problem);
    CHECK(problem->error.what ==
          "-EINVAL: devmap map \"tx_ports\" has value_size 6; a devmap value is an ifindex (4 "
          "bytes) or struct bpf_devmap_val (8 bytes)");
}

TEST_CASE("devmap updates: BPF_NOEXIST is -EEXIST, an index past the end -E2BIG, ifindex 0 empties a slot") {
    MapSet set;
    Map& m = add(set, spec(MapType::Devmap, 4, 8, 4));
    const uint64_t eth1 = 3; // ifindex 3, prog fd 0
    CHECK(m.count() == 0);
    CHECK(m.update_user(bytes(uint32_t(1)), bytes(eth1), 1) == -17);
    CHECK(m.update_user(bytes(uint32_t(4)), bytes(eth1)) == -7);
    CHECK(m.update_user(bytes(uint32_t(1)), bytes(eth1), 3) == -22);
    CHECK(m.update_user(bytes(uint32_t(1)), bytes(uint64_t(3) | uint64_t(5) << 32)) ==
          -22); // a devmap program
    CHECK(m.update_user(bytes(uint32_t(1)), bytes(uint64_t(3) | uint64_t(0xffffffff) << 32)) ==
          0); // fd -1: none
    CHECK(m.count() == 1);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(1), v) == 0);
    CHECK(v == 3); // bpf_prog.id reads back 0
    CHECK(devmap_ifindex(m, 1) == 3u);
    CHECK(devmap_ifindex(m, 2) == std::nullopt);
    CHECK(devmap_ifindex(m, 9) == std::nullopt);
    CHECK(user_get(m, uint32_t(2), v) == -2);
    CHECK(m.update_user(bytes(uint32_t(1)), bytes(uint64_t(0))) == 0);
    CHECK(m.count() == 0);
    CHECK(devmap_ifindex(m, 1) == std::nullopt);
    // dev_map_delete_elem: an empty slot is no error, an index past the end is.
    CHECK(m.delete_user(bytes(uint32_t(2))) == 0);
    CHECK(m.delete_user(bytes(uint32_t(4))) == -22);
    // Programs cannot write through the helpers (the verifier's check is in map_helpers).
    CHECK(m.update_elem(bytes(uint32_t(1)), bytes(eth1), 0, 0) == -95);
}

TEST_CASE("a devmap_hash finds the device under any u32 key") {
    MapSet set;
    Map& m = add(set, spec(MapType::DevmapHash, 4, 4, 4));
    CHECK(m.update_user(bytes(uint32_t(1000)), bytes(uint32_t(2))) == 0);
    CHECK(devmap_ifindex(m, 1000) == 2u);
    CHECK(devmap_ifindex(m, 1) == std::nullopt);
}
