// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY.
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace u = map_update;

TEST_CASE("array: program lookups return addresses into the map's window") {
    MapSet set;
    Map& m = add(set, spec(MapType::Array, 4, 8, 4, 0, "arr"));
    REQUIRE(m.value_base() == window_base(window::kFirstFree));
    CHECK(m.lookup_elem(bytes<uint32_t>(0), 0) == window_base(16));
    CHECK(m.lookup_elem(bytes<uint32_t>(3), 0) == window_base(16) + 24);
    // Past the end: a miss (NULL), not an error.
    CHECK(m.lookup_elem(bytes<uint32_t>(4), 0) == 0);
    CHECK(m.lookup_elem(bytes<uint32_t>(UINT32_MAX), 0) == 0);
    // The pointer is the map: a write through it is what userspace reads back.
    write_u64(set, m.lookup_elem(bytes<uint32_t>(2), 0), 0x1122334455667788ull);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(2), v) == 0);
    CHECK(v == 0x1122334455667788ull);
    CHECK(user_get(m, uint32_t(4), v) == -e::kENOENT);
}

TEST_CASE("array: values are spaced by value_size rounded up to 8") {
    MapSet set;
    Map& m = add(set, spec(MapType::Array, 4, 3, 4));
    CHECK(m.value_stride() == 8);
    CHECK(m.slot_bytes() == 8);
    CHECK(m.value_region().size() == 32);
    CHECK(m.lookup_elem(bytes<uint32_t>(1), 0) - m.lookup_elem(bytes<uint32_t>(0), 0) == 8);
    // An update copies exactly value_size bytes.
    const std::vector<uint8_t> val = {1, 2, 3};
    REQUIRE(m.update_elem(bytes<uint32_t>(1), val, u::kAny, 0) == 0);
    CHECK(std::vector<uint8_t>(m.value_region().begin() + 8, m.value_region().begin() + 16) ==
          std::vector<uint8_t>{1, 2, 3, 0, 0, 0, 0, 0});
}

TEST_CASE("array: update flags and error codes in the kernel's order") {
    MapSet set;
    Map& m = add(set, spec(MapType::Array, 4, 8, 4));
    const auto val = bytes<uint64_t>(7);
    CHECK(m.update_elem(bytes<uint32_t>(0), val, u::kAny, 0) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(0), val, u::kExist, 0) == 0);
    // Every index exists, so BPF_NOEXIST always fails.
    CHECK(m.update_elem(bytes<uint32_t>(1), val, u::kNoExist, 0) == -e::kEEXIST);
    // Out of range: all elements were preallocated, none can be added.
    CHECK(m.update_elem(bytes<uint32_t>(4), val, u::kAny, 0) == -e::kE2BIG);
    // The index check comes before the BPF_NOEXIST check, the flags check before both.
    CHECK(m.update_elem(bytes<uint32_t>(4), val, u::kNoExist, 0) == -e::kE2BIG);
    CHECK(m.update_elem(bytes<uint32_t>(4), val, 3, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(0), val, 8, 0) == -e::kEINVAL);
    // BPF_F_LOCK needs a bpf_spin_lock in the value.
    CHECK(m.update_elem(bytes<uint32_t>(0), val, u::kLock, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(0), val, u::kLock | u::kNoExist, 0) == -e::kEEXIST);
    // Userspace sees the same (array_map_update_elem serves both), and BPF_F_LOCK is refused first.
    CHECK(m.update_user(bytes<uint32_t>(1), val, u::kNoExist) == -e::kEEXIST);
    CHECK(m.update_user(bytes<uint32_t>(9), val, u::kAny) == -e::kE2BIG);
    CHECK(m.update_user(bytes<uint32_t>(1), val, u::kLock) == -e::kEINVAL);
    CHECK(m.update_user(bytes<uint32_t>(1), bytes<uint64_t>(9), u::kExist) == 0);
    uint64_t v = 0;
    CHECK(user_get(m, uint32_t(0), v) == 0);
    CHECK(v == 7);
    CHECK(user_get(m, uint32_t(1), v) == 0);
    CHECK(v == 9);
    // Wrong sizes are refused, not read past.
    CHECK(m.update_elem(bytes<uint16_t>(0), val, u::kAny, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(0), bytes<uint32_t>(1), u::kAny, 0) == -e::kEINVAL);
    CHECK(m.update_elem(bytes<uint32_t>(0), val, u::kAny, 4) == -e::kEINVAL);  // no CPU 4
}

TEST_CASE("array: delete is -EINVAL, from programs and userspace") {
    MapSet set;
    Map& m = add(set, spec(MapType::Array, 4, 8, 4));
    CHECK(m.delete_elem(bytes<uint32_t>(0)) == -e::kEINVAL);
    CHECK(m.delete_user(bytes<uint32_t>(0)) == -e::kEINVAL);
    CHECK(m.delete_user(bytes<uint32_t>(10)) == -e::kEINVAL);
}

TEST_CASE("array: get_next_key walks 0..max_entries-1") {
    MapSet set;
    Map& m = add(set, spec(MapType::Array, 4, 8, 3));
    std::vector<uint8_t> next(4);
    CHECK(m.get_next_key({}, next) == 0);
    CHECK(as<uint32_t>(next) == 0);
    CHECK(m.get_next_key(bytes<uint32_t>(0), next) == 0);
    CHECK(as<uint32_t>(next) == 1);
    CHECK(m.get_next_key(bytes<uint32_t>(1), next) == 0);
    CHECK(as<uint32_t>(next) == 2);
    CHECK(m.get_next_key(bytes<uint32_t>(2), next) == -e::kENOENT);
    // An out-of-range key restarts from 0.
    CHECK(m.get_next_key(bytes<uint32_t>(77), next) == 0);
    CHECK(as<uint32_t>(next) == 0);
}

TEST_CASE("array: entries lists every index in order") {
    MapSet set;
    Map& m = add(set, spec(MapType::Array, 4, 4, 3));
    REQUIRE(m.update_user(bytes<uint32_t>(1), bytes<uint32_t>(0xabcd), u::kAny) == 0);
    auto entries = m.entries();
    REQUIRE(entries.size() == 3);
    CHECK(m.count() == 3);
    for (uint32_t i = 0; i < 3; ++i) {
        CHECK(as<uint32_t>(entries[i].key) == i);
        CHECK(entries[i].slot == i);
        REQUIRE(entries[i].values.size() == 1);
        CHECK(entries[i].values[0].size() == 4);
    }
    CHECK(as<uint32_t>(entries[1].values[0]) == 0xabcd);
    CHECK(m.entries(2).size() == 2);
}

TEST_CASE("percpu_array: each CPU has its own value") {
    MapSet set;
    MapSpec s = spec(MapType::PercpuArray, 4, 8, 2, 0, "pc");
    s.ncpus = 4;
    Map& m = add(set, s);
    CHECK(m.is_percpu());
    CHECK(m.slot_bytes() == 32);
    CHECK(m.user_value_size() == 32);
    const uint64_t cpu0 = m.lookup_elem(bytes<uint32_t>(1), 0);
    const uint64_t cpu1 = m.lookup_elem(bytes<uint32_t>(1), 1);
    CHECK(cpu0 == m.value_base() + 32);
    CHECK(cpu1 == cpu0 + 8);
    // A program on CPU 1 writes; CPU 0 does not see it.
    write_u64(set, cpu1, 5);
    CHECK(read_u64(set, cpu0) == 0);
    CHECK(m.update_elem(bytes<uint32_t>(1), bytes<uint64_t>(9), u::kAny, 2) == 0);
    CHECK(read_u64(set, m.lookup_elem(bytes<uint32_t>(1), 2)) == 9);
    CHECK(read_u64(set, cpu0) == 0);
    // Userspace reads every CPU at once, each rounded up to 8 bytes.
    std::vector<uint8_t> all(32);
    REQUIRE(m.lookup_user(bytes<uint32_t>(1), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 5);
    CHECK(as<uint64_t>(std::span(all).subspan(16, 8)) == 9);
    CHECK(as<uint64_t>(std::span(all).subspan(24, 8)) == 0);
    // ... and writes every CPU at once.
    std::vector<uint8_t> in(32);
    for (uint32_t c = 0; c < 4; ++c) in[c * 8] = uint8_t(10 + c);
    REQUIRE(m.update_user(bytes<uint32_t>(0), in, u::kAny) == 0);
    for (uint32_t c = 0; c < 4; ++c) CHECK(read_u64(set, m.lookup_elem(bytes<uint32_t>(0), c)) == 10 + c);
    // A wrong-sized buffer (one CPU's value) is refused.
    CHECK(m.update_user(bytes<uint32_t>(0), bytes<uint64_t>(1), u::kAny) == -e::kEINVAL);
    // bpf_percpu_array_update: stricter flags, then the index, then BPF_NOEXIST.
    CHECK(m.update_user(bytes<uint32_t>(0), in, u::kNoExist) == -e::kEEXIST);
    CHECK(m.update_user(bytes<uint32_t>(2), in, u::kAny) == -e::kE2BIG);
    CHECK(m.update_user(bytes<uint32_t>(2), in, 3) == -e::kEINVAL);
    CHECK(m.lookup_user(bytes<uint32_t>(2), all) == -e::kENOENT);
    // Display: one value per CPU.
    auto entries = m.entries();
    REQUIRE(entries.size() == 2);
    REQUIRE(entries[0].values.size() == 4);
    CHECK(as<uint64_t>(entries[0].values[3]) == 13);
    // A CPU the map has no value for.
    CHECK(m.lookup_elem(bytes<uint32_t>(0), 4) == 0);
}

TEST_CASE("percpu_array with an odd value_size: per-CPU values 8-byte aligned") {
    MapSet set;
    MapSpec s = spec(MapType::PercpuArray, 4, 12, 1);
    s.ncpus = 2;
    Map& m = add(set, s);
    CHECK(m.user_value_size() == 32);
    CHECK(m.lookup_elem(bytes<uint32_t>(0), 1) - m.lookup_elem(bytes<uint32_t>(0), 0) == 16);
}

TEST_CASE("access flags: BPF_F_RDONLY, BPF_F_WRONLY and freezing") {
    MapSet set;
    Map& ro = add(set, spec(MapType::Array, 4, 8, 2, map_flag::kRdonly, "ro"));
    Map& wo = add(set, spec(MapType::Array, 4, 8, 2, map_flag::kWronly, "wo"));
    Map& fr = add(set, spec(MapType::Array, 4, 8, 2, 0, "fr"));
    std::vector<uint8_t> v(8), next(4);
    CHECK(ro.update_user(bytes<uint32_t>(0), v, u::kAny) == -e::kEPERM);
    CHECK(ro.delete_user(bytes<uint32_t>(0)) == -e::kEPERM);
    CHECK(ro.lookup_user(bytes<uint32_t>(0), v) == 0);
    CHECK(ro.freeze() == -e::kEPERM);
    // Programs may still write a BPF_F_RDONLY map (that flag is about userspace).
    CHECK(ro.update_elem(bytes<uint32_t>(0), v, u::kAny, 0) == 0);

    CHECK(wo.lookup_user(bytes<uint32_t>(0), v) == -e::kEPERM);
    CHECK(wo.get_next_key({}, next) == -e::kEPERM);
    CHECK(wo.update_user(bytes<uint32_t>(0), v, u::kAny) == 0);

    CHECK(fr.update_user(bytes<uint32_t>(0), bytes<uint64_t>(3), u::kAny) == 0);
    CHECK(fr.freeze() == 0);
    CHECK(fr.frozen());
    CHECK(fr.freeze() == -e::kEPERM);  // not -EBUSY: a frozen map is not writable (map_get_sys_perms)
    CHECK(fr.update_user(bytes<uint32_t>(0), v, u::kAny) == -e::kEPERM);
    CHECK(fr.update_elem(bytes<uint32_t>(0), bytes<uint64_t>(4), u::kAny, 0) == 0);
    uint64_t got = 0;
    CHECK(user_get(fr, uint32_t(0), got) == 0);
    CHECK(got == 4);
    // Lookup flags: only BPF_F_LOCK is known, and it needs a spin lock.
    CHECK(fr.lookup_user(bytes<uint32_t>(0), v, u::kLock) == -e::kEINVAL);
    CHECK(fr.lookup_user(bytes<uint32_t>(0), v, 1) == -e::kEINVAL);
}

}  // namespace
}  // namespace bpfplay
