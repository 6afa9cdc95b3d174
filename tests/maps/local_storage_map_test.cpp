// TASK_STORAGE, SK_STORAGE, INODE_STORAGE and CGRP_STORAGE from user space: the creation rules of
// bpf_local_storage_map_alloc_check (Linux 6.18) and the update flags of
// bpf_local_storage_update, with the owner's id as the key where the kernel takes an fd.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/local_storage_map.hpp"
#include "core/maps/map_state.hpp"

namespace bpfplay {
namespace {

MapSpec storage_spec(MapType type = MapType::TaskStorage, uint32_t value_size = 8) {
    MapSpec s;
    s.type = type;
    s.name = "store";
    s.key_size = 4;
    s.value_size = value_size;
    s.max_entries = 0;
    s.map_flags = map_flag::kNoPrealloc;
    s.btf_key_type_id = 1;
    s.btf_value_type_id = 2;
    return s;
}

std::vector<uint8_t> u32(uint32_t v) {
    std::vector<uint8_t> b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
}
std::vector<uint8_t> u64(uint64_t v) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), &v, 8);
    return b;
}

int64_t create_code(const MapSpec& s) {
    const auto problem = check_map_spec(s);
    return problem ? problem->code : 0;
}

std::unique_ptr<LocalStorageMap> make(MapType type = MapType::TaskStorage) {
    auto m = create_map(storage_spec(type));
    REQUIRE(m.ok());
    return std::unique_ptr<LocalStorageMap>(static_cast<LocalStorageMap*>(m.value().release()));
}

} // namespace

TEST_CASE("local storage maps: created only as the kernel creates them") {
    for (MapType t : {MapType::TaskStorage, MapType::SkStorage, MapType::InodeStorage, MapType::CgrpStorage}) {
        CAPTURE(map_type_name(t));
        CHECK(create_code(storage_spec(t)) == 0);
        MapSpec s = storage_spec(t);
        s.map_flags = 0;  // BPF_F_NO_PREALLOC is required
        CHECK(create_code(s) == -22);
        s = storage_spec(t);
        s.map_flags |= map_flag::kClone;  // BPF_F_CLONE is accepted
        CHECK(create_code(s) == 0);
        s = storage_spec(t);
        s.map_flags |= map_flag::kRdonly;  // no other flag
        CHECK(create_code(s) == -22);
        s = storage_spec(t);
        s.max_entries = 1;
        CHECK(create_code(s) == -22);
        s = storage_spec(t);
        s.key_size = 8;
        CHECK(create_code(s) == -22);
        s = storage_spec(t);
        s.value_size = 0;
        CHECK(create_code(s) == -22);
        s = storage_spec(t);
        s.btf_key_type_id = 0;
        CHECK(create_code(s) == -22);
        s = storage_spec(t);
        s.btf_value_type_id = 0;
        CHECK(create_code(s) == -22);
        CHECK(create_code(storage_spec(t, 65407)) == 0);
        CHECK(create_code(storage_spec(t, 65408)) == -7);
        // -EINVAL comes before -E2BIG.
        s = storage_spec(t, 65408);
        s.btf_value_type_id = 0;
        CHECK(create_code(s) == -22);
    }
}

TEST_CASE("local storage from user space: BPF_ANY, BPF_NOEXIST, BPF_EXIST, delete, no key walk") {
    auto m = make();
    std::vector<uint8_t> out(8);
    CHECK(m->lookup_user(u32(4242), out) == -2);
    CHECK(m->update_user(u32(4242), u64(7), map_update::kExist) == -2);
    CHECK(m->update_user(u32(4242), u64(7), map_update::kNoExist) == 0);
    CHECK(m->update_user(u32(4242), u64(8), map_update::kNoExist) == -17);
    CHECK(m->update_user(u32(4242), u64(9), map_update::kExist) == 0);
    CHECK(m->lookup_user(u32(4242), out) == 0);
    CHECK(out == u64(9));
    CHECK(m->update_user(u32(4242), u64(10), 3) == -22);  // BPF_NOEXIST | BPF_EXIST
    CHECK(m->update_user(u32(4242), u64(10), map_update::kLock) == -22);  // no bpf_spin_lock in the value
    CHECK(m->update_user(u32(1), u64(11)) == 0);
    CHECK(m->count() == 2);
    const std::vector<MapEntry> entries = m->entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].label == "task pid 4242");
    CHECK(entries[1].label == "task pid 1");
    CHECK(entries[1].values[0] == u64(11));
    std::vector<uint8_t> next(4);
    CHECK(m->get_next_key({}, next) == -524);
    CHECK(m->lookup_and_delete_user(u32(1), out) == -524);
    CHECK(m->delete_user(u32(4242)) == 0);
    CHECK(m->delete_user(u32(4242)) == -2);
    CHECK(m->count() == 1);
    CHECK(m->freeze() == 0);
    CHECK(m->update_user(u32(1), u64(1)) == -1);
    CHECK(make(MapType::SkStorage)->entry_label({}, 0).empty());
}

TEST_CASE("local storage: owners take the lowest free slot, -ENOMEM past the slots, state round trip") {
    auto m = make(MapType::CgrpStorage);
    for (uint32_t i = 0; i < LocalStorageMap::kOwnerSlots; ++i) REQUIRE(m->update_user(u32(100 + i), u64(i)) == 0);
    CHECK(m->update_user(u32(99), u64(0)) == -12);
    CHECK(!m->create(99, nullptr));
    std::vector<uint8_t> full;
    m->save_state(full);
    CHECK(m->remove(105) == 0);
    CHECK(m->remove(105) == -2);
    const uint8_t seven[8] = {7};
    CHECK(m->create(99, seven) == std::optional<uint32_t>(5));
    CHECK(m->slot_of(99) == std::optional<uint32_t>(5));
    CHECK(m->entry_label({}, 5) == "cgroup id 99");
    CHECK(m->slot_value(5)[0] == 7);
    std::vector<uint8_t> changed;
    m->save_state(changed);
    CHECK(changed.size() == full.size());
    m->restore_state(full);
    CHECK(m->slot_of(105) == std::optional<uint32_t>(5));
    CHECK(!m->slot_of(99));
    CHECK(m->count() == LocalStorageMap::kOwnerSlots);
    // A value created without an initial value is zeros, whatever the slot held before.
    CHECK(m->slot_value(1)[0] == 1);
    CHECK(m->remove(101) == 0);
    CHECK(m->create(7, nullptr) == std::optional<uint32_t>(1));
    CHECK(m->slot_value(1)[0] == 0);
}

} // namespace bpfplay
