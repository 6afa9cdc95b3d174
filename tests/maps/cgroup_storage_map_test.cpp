// CGROUP_STORAGE and PERCPU_CGROUP_STORAGE: cgroup_storage_map_alloc's checks in the kernel's
// order (Linux 6.18 kernel/bpf/local_storage.c), values that only attaching creates, the user
// side's -ENOENT/-EINVAL answers and the newest-first key walk.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/cgroup_storage_map.hpp"

namespace bpfplay {
namespace {

MapSpec cs_spec(MapType type = MapType::CgroupStorage, uint32_t key_size = 16, uint32_t value_size = 8) {
    MapSpec s;
    s.type = type;
    s.name = "cs";
    s.key_size = key_size;
    s.value_size = value_size;
    return s;
}

int64_t create_code(const MapSpec& s) {
    const auto problem = check_map_spec(s);
    return problem ? problem->code : 0;
}

std::unique_ptr<CgroupStorageMap> make(const MapSpec& s) {
    auto m = create_map(s);
    REQUIRE(m.ok());
    return std::unique_ptr<CgroupStorageMap>(static_cast<CgroupStorageMap*>(m.value().release()));
}

std::vector<uint8_t> key16(uint64_t cgroup, uint32_t attach) {
    std::vector<uint8_t> k(16, 0);
    std::memcpy(k.data(), &cgroup, 8);
    std::memcpy(k.data() + 8, &attach, 4);
    return k;
}
std::vector<uint8_t> u64(uint64_t v) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), &v, 8);
    return b;
}

} // namespace

TEST_CASE("cgroup storage maps: key 16 or 8, value limits, flags, max_entries 0, in the kernel's order") {
    CHECK(create_code(cs_spec()) == 0);
    CHECK(create_code(cs_spec(MapType::CgroupStorage, 8)) == 0);
    CHECK(create_code(cs_spec(MapType::CgroupStorage, 12)) == -22);
    CHECK(create_code(cs_spec(MapType::CgroupStorage, 16, 0)) == -22);
    CHECK(create_code(cs_spec(MapType::CgroupStorage, 16, 65407)) == 0);
    CHECK(create_code(cs_spec(MapType::CgroupStorage, 16, 65408)) == -7);
    CHECK(create_code(cs_spec(MapType::PercpuCgroupStorage, 16, 32768)) == 0);
    CHECK(create_code(cs_spec(MapType::PercpuCgroupStorage, 16, 32769)) == -7);
    MapSpec s = cs_spec();
    s.map_flags = map_flag::kNoPrealloc;
    CHECK(create_code(s) == -22);
    s.map_flags = map_flag::kRdonly | map_flag::kNumaNode;
    CHECK(create_code(s) == 0);
    s.map_flags = map_flag::kRdonlyProg | map_flag::kWronlyProg;
    CHECK(create_code(s) == -22);
    s = cs_spec();
    s.max_entries = 1;
    CHECK(create_code(s) == -22);
    // -E2BIG for the value comes before the flags and max_entries.
    s = cs_spec(MapType::CgroupStorage, 16, 65408);
    s.map_flags = map_flag::kNoPrealloc;
    s.max_entries = 1;
    CHECK(create_code(s) == -7);
}

TEST_CASE("cgroup storage from user space: only attached values, BPF_ANY/BPF_EXIST, no delete, newest first") {
    auto m = make(cs_spec());
    std::vector<uint8_t> out(8), next(16);
    CHECK(m->lookup_user(key16(5, 0), out) == -2);
    CHECK(m->update_user(key16(5, 0), u64(1)) == -2);  // user space cannot create one
    CHECK(m->get_next_key({}, next) == -2);
    REQUIRE(m->storage_for(5, 0) == std::optional<uint32_t>(0));  // attached at cgroup_inet_ingress
    REQUIRE(m->storage_for(5, 1) == std::optional<uint32_t>(1));  // and at egress: its own value
    CHECK(m->storage_for(5, 0) == std::optional<uint32_t>(0));
    CHECK(m->update_user(key16(5, 0), u64(7)) == 0);
    CHECK(m->update_user(key16(5, 0), u64(8), map_update::kExist) == 0);
    CHECK(m->update_user(key16(5, 0), u64(9), map_update::kNoExist) == -22);
    CHECK(m->update_user(key16(5, 0), u64(9), map_update::kLock) == -22);
    CHECK(m->lookup_user(key16(5, 0), out) == 0);
    CHECK(out == u64(8));
    CHECK(m->delete_user(key16(5, 0)) == -22);
    CHECK(m->lookup_and_delete_user(key16(5, 0), out) == -524);
    CHECK(m->get_next_key({}, next) == 0);
    CHECK(next == key16(5, 1));  // the newest first
    CHECK(m->get_next_key(key16(5, 1), next) == 0);
    CHECK(next == key16(5, 0));
    CHECK(m->get_next_key(key16(5, 0), next) == -2);
    CHECK(m->get_next_key(key16(4, 0), next) == -2);  // a missing key does not restart
    const std::vector<MapEntry> entries = m->entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].label == "cgroup id 5, cgroup_inet_egress");
    CHECK(entries[1].values[0] == u64(8));
    // State round trip.
    std::vector<uint8_t> before, after;
    m->save_state(before);
    REQUIRE(m->storage_for(3, 0) == std::optional<uint32_t>(2));
    m->save_state(after);
    CHECK(after.size() == before.size());
    m->restore_state(before);
    CHECK(m->count() == 2);
    CHECK(!m->slot_of(3, 0));
    for (uint32_t i = 2; i < CgroupStorageMap::kSlots; ++i) REQUIRE(m->storage_for(100 + i, 0));
    CHECK(!m->storage_for(99, 0));
}

TEST_CASE("cgroup storage with a u64 key: one value per cgroup whatever the attach type") {
    auto m = make(cs_spec(MapType::CgroupStorage, 8));
    REQUIRE(m->storage_for(5, 0) == std::optional<uint32_t>(0));
    CHECK(m->storage_for(5, 1) == std::optional<uint32_t>(0));
    std::vector<uint8_t> next(8);
    CHECK(m->get_next_key({}, next) == 0);
    CHECK(next == u64(5));
    CHECK(m->entries()[0].label == "cgroup id 5");
}

TEST_CASE("percpu cgroup storage: a value per CPU, updates with BPF_ANY or BPF_EXIST only") {
    MapSpec s = cs_spec(MapType::PercpuCgroupStorage, 16, 4);
    s.ncpus = 2;
    auto m = make(s);
    REQUIRE(m->storage_for(5, 0));
    std::vector<uint8_t> all = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(m->update_user(key16(5, 0), all, map_update::kNoExist) == -22);
    CHECK(m->update_user(key16(5, 0), all, map_update::kExist) == 0);
    std::vector<uint8_t> out(16);
    CHECK(m->lookup_user(key16(5, 0), out) == 0);
    CHECK(out == all);
    CHECK(m->slot_value(0, 1)[0] == 2);
}

} // namespace bpfplay
