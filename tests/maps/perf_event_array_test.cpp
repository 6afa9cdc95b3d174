// BPF_MAP_TYPE_PERF_EVENT_ARRAY: the kernel's create-time checks (fd_array_map_alloc_check,
// then array_map_alloc_check) and the reader model (a slot holds the CPU of its reader).
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace f = map_flag;

MapSpec perf_spec(uint32_t max_entries = 4) {
    return spec(MapType::PerfEventArray, 4, 4, max_entries, 0, "events");
}

TEST_CASE("a perf event array takes 4-byte keys and 4-byte values") {
    CHECK(create_errno(perf_spec()) == 0);
    MapSpec wide = perf_spec();
    wide.value_size = 8;
    auto refused = create_map(wide);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().what == "-EINVAL: perf_event_array map \"events\" has value_size 8; its values are "
                                  "references (fds for the kernel), value_size must be 4");
    MapSpec long_key = perf_spec();
    long_key.key_size = 8;
    CHECK(create_errno(long_key) == -e::kEINVAL);
    CHECK(create_errno(perf_spec(0)) == -e::kEINVAL);
}

TEST_CASE("a perf event array accepts BPF_F_PRESERVE_ELEMS but not the program access flags") {
    CHECK(create_errno(spec(MapType::PerfEventArray, 4, 4, 4, f::kPreserveElems)) == 0);
    CHECK(create_errno(spec(MapType::PerfEventArray, 4, 4, 4, f::kRdonlyProg)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::PerfEventArray, 4, 4, 4, f::kMmapable)) == -e::kEINVAL);
    // BPF_F_PRESERVE_ELEMS stays refused for the other array types.
    CHECK(create_errno(spec(MapType::ProgArray, 4, 4, 4, f::kPreserveElems)) == -e::kEINVAL);
}

TEST_CASE("a perf event array slot holds the CPU of its reader, which user space cannot read back") {
    MapSet set;
    Map& m = add(set, perf_spec());
    CHECK(m.count() == 0);
    CHECK(m.update_user(bytes(uint32_t(1)), bytes(uint32_t(3))) == 0);
    CHECK(m.count() == 1);
    REQUIRE(m.entries().size() == 1);
    CHECK(m.entries()[0].key == bytes(uint32_t(1)));
    CHECK(m.entries()[0].values[0] == bytes(uint32_t(3)));
    uint64_t out = 0;
    CHECK(user_get(m, uint32_t(1), out) == -e::kENOTSUPP);
}

TEST_CASE("a perf event array update takes BPF_ANY, an index below max_entries and an existing CPU") {
    MapSet set;
    Map& m = add(set, perf_spec()); // ncpus is kDefaultCpus (4)
    CHECK(m.update_user(bytes(uint32_t(0)), bytes(uint32_t(0)), map_update::kNoExist) == -e::kEINVAL);
    CHECK(m.update_user(bytes(uint32_t(4)), bytes(uint32_t(0))) == -e::kE2BIG);
    CHECK(m.update_user(bytes(uint32_t(0)), bytes(uint32_t(4))) == -e::kEBADF);
    CHECK(m.update_user(bytes(uint32_t(0)), bytes(uint32_t(3))) == 0);
}

TEST_CASE("deleting a perf event array slot removes its reader") {
    MapSet set;
    Map& m = add(set, perf_spec());
    REQUIRE(m.update_user(bytes(uint32_t(2)), bytes(uint32_t(2))) == 0);
    CHECK(m.delete_user(bytes(uint32_t(2))) == 0);
    CHECK(m.count() == 0);
    CHECK(m.delete_user(bytes(uint32_t(2))) == -e::kENOENT);
    CHECK(m.delete_user(bytes(uint32_t(4))) == -e::kE2BIG);
}

} // namespace
} // namespace bpfplay
