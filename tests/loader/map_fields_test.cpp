// The special fields of map values the loader finds in BTF (core/loader/map_fields.cpp), on
// tests/loader/fixtures/map_fields.c.
#include <doctest/doctest.h>

#include "core/maps/map_set.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

const MapSpec& spec_of(const LoadedObject& obj, const char* name) {
    const Map* m = obj.maps->find(name);
    REQUIRE(m != nullptr);
    return m->spec();
}

} // namespace

TEST_CASE("a hash value's struct bpf_spin_lock and kptr fields are found at their offsets") {
    auto obj = load(fixture_bytes("map_fields"), "map_fields.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const MapSpec& s = spec_of(*obj, "locked");
    CHECK(s.kernel_btf);
    CHECK(s.spin_lock_off == 8);
    REQUIRE(s.kptrs.size() == 2);
    CHECK(s.kptrs[0].offset == 16);
    CHECK(s.kptrs[0].kind == KptrKind::Referenced);
    CHECK(s.kptrs[0].type_name == "task_struct");
    CHECK(s.kptrs[1].offset == 24);
    CHECK(s.kptrs[1].kind == KptrKind::Unreferenced);
    CHECK(s.kptrs[1].type_name == "cgroup");
}

TEST_CASE("values the kernel refuses with their BTF leave the map without fields or BTF") {
    auto obj = load(fixture_bytes("map_fields"), "map_fields.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    for (const char* name : {"two_locks", "percpu_locked", "old_tag"}) {
        CAPTURE(name);
        const MapSpec& s = spec_of(*obj, name);
        CHECK_FALSE(s.kernel_btf);
        CHECK(s.spin_lock_off == -1);
        CHECK(s.kptrs.empty());
    }
}

TEST_CASE("a kptr to a struct the object only declares is no kptr, and the value keeps its BTF") {
    auto obj = load(fixture_bytes("map_fields"), "map_fields.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const MapSpec& s = spec_of(*obj, "fwd_kptr");
    CHECK(s.kernel_btf);
    CHECK(s.kptrs.empty());
}

TEST_CASE("a value without special fields keeps its BTF and has none") {
    auto obj = load(fixture_bytes("map_fields"), "map_fields.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const MapSpec& s = spec_of(*obj, "plain");
    CHECK(s.kernel_btf);
    CHECK(s.spin_lock_off == -1);
    CHECK(s.kptrs.empty());
}
