// What user space changes in map definitions between open and load (core/loader/map_sizing.cpp):
// sizes for maps left at max_entries 0, sizes set by name, and cilium/ebpf's fix-ups of event
// maps declared with key/value types. tests/loader/fixtures/sized_maps.c; libbpf 1.1.2 on Linux
// 6.18 refuses this object (flows: -EINVAL for max_entries 0), which is why the notes say so.
#include <doctest/doctest.h>

#include <algorithm>

#include "loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

Result<LoadedObject> load_sized(std::map<std::string, uint32_t> sizes = {}) {
    LoadOptions options;
    options.object_name = "sized_maps.o";
    options.helpers = &all_helpers();
    options.map_sizes = std::move(sizes);
    return load_object(fixture_bytes("sized_maps"), options);
}

bool has_note(const LoadedObject& o, const std::string& text) {
    return std::find(o.notes.begin(), o.notes.end(), text) != o.notes.end();
}

}  // namespace

TEST_CASE("map sizing: max_entries 0 gets the documented default, with a note naming the way to set it") {
    auto o = load_sized();
    REQUIRE(o);
    const Map* flows = o->maps->find("flows");
    REQUIRE(flows);
    CHECK(flows->max_entries() == LoadOptions::kDefaultMaxEntries);
    CHECK(flows->max_entries() == 1024u);
    CHECK(has_note(*o, "map \"flows\" has max_entries 0 in the object (its loader sizes it before loading): created "
                       "with 1024 entries; set it with --map-size flows=N or the host JSON's \"map_sizes\""));
    // A ring buffer without a size gets 64 KiB (a power-of-2 number of pages, as the kernel wants).
    const Map* records = o->maps->find("records");
    REQUIRE(records);
    CHECK(records->max_entries() == 65536u);
}

TEST_CASE("map sizing: map_sizes sets max_entries by name, over the object's value; unknown names are noted") {
    auto o = load_sized({{"flows", 5}, {"records", 8192}, {"nosuch", 3}});
    REQUIRE(o);
    CHECK(o->maps->find("flows")->max_entries() == 5u);
    CHECK(o->maps->find("records")->max_entries() == 8192u);
    CHECK(has_note(*o, "map \"flows\": max_entries 5 set by the user (the object says 0)"));
    CHECK(has_note(*o, "a size was given for map \"nosuch\" (3), but the object has no such map"));
    // The size is the kernel's to check: 5 entries means a 6th key is -E2BIG.
    Map& flows = *o->maps->find("flows");
    for (uint32_t k = 0; k < 5; ++k) {
        uint8_t key[4] = {uint8_t(k)}, value[8] = {};
        CHECK(flows.update_user(key, value) == 0);
    }
    uint8_t key[4] = {9}, value[8] = {};
    CHECK(flows.update_user(key, value) == -7);  // -E2BIG
    // A ring buffer size that is not a power-of-2 number of pages is refused as the kernel does.
    auto bad = load_sized({{"records", 5000}});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().what.starts_with("cannot create map \"records\": -EINVAL"));
}

TEST_CASE("map sizing: ring buffers and perf event arrays with key/value types load as ebpf-go loads them") {
    auto o = load_sized();
    REQUIRE(o);
    const Map* records = o->maps->find("records");
    CHECK(records->key_size() == 0u);
    CHECK(records->value_size() == 0u);  // the 16-byte struct event only documents the records
    CHECK(has_note(*o, "map \"records\": a ring buffer declared with __type(value, ...) (16 bytes); the value type "
                       "only documents the records (ebpf-go drops it, libbpf 1.1 passes it on and the kernel "
                       "refuses it): created with value_size 0"));
    const Map* samples = o->maps->find("samples");
    CHECK(samples->key_size() == 4u);
    CHECK(samples->value_size() == 4u);
    CHECK(samples->max_entries() == 4u);  // one per CPU (libbpf's rule for max_entries 0)
    CHECK(has_note(*o, "map \"samples\": a perf event array declared with __type(value, ...) (16 bytes); its values "
                       "are perf event fds, so it is created with value_size 4 as ebpf-go does (the type describes "
                       "the samples)"));
    const Map* bare = o->maps->find("bare");
    CHECK(bare->key_size() == 4u);
    CHECK(bare->value_size() == 4u);
    CHECK(has_note(*o, "map \"bare\": a perf event array without key or value size: created with key_size 4 and "
                       "value_size 4 (CPU index -> perf event fd), as ebpf-go does"));
}


TEST_CASE("map sizing: local storage maps keep max_entries 0, which the kernel requires of them") {
    LoadOptions options;
    options.object_name = "storage_map.o";
    options.helpers = &all_helpers();
    const ObjectDescription d = describe_object(fixture_bytes("storage_map"), options);
    REQUIRE(d.object.map_info.size() == 1);
    CHECK(d.object.map_info[0].spec.type == MapType::TaskStorage);
    CHECK(d.object.map_info[0].spec.max_entries == 0u);
    for (const std::string& note : d.object.notes) CHECK(note.find("has max_entries 0") == std::string::npos);
    // And the map is created so: the object loads.
    CHECK_MESSAGE(!d.error, (d.error ? d.error->to_string() : ""));
}
